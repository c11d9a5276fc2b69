import { mkdtemp, rm } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { connect as connectTls } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './freePort.js';
import { spawnOwned, terminate, type Exit, type OwnedProcess } from './ownedProcess.js';
import { StopWaiting, waitUntil } from './waitUntil.js';

export type RedisPersistence = 'aof' | 'none';

export interface PrivateRedisOptions {
  /** Started with `--requirepass`: clients must AUTH with it. */
  password?: string;
  /** PEM files: the server listens with TLS only (no plain port), clients need not present a certificate. */
  tls?: { certFile: string; keyFile: string; caFile: string };
}

/**
 * A redis-server of our own on a free 127.0.0.1 port, run in the foreground so we hold its pid:
 * the fault scenarios stop, kill and restart it, which they must never do to the shared one.
 * With 'aof' every write is fsynced before Redis answers (appendfsync always), so a restart, even
 * after SIGKILL, brings back everything acknowledged; with 'none' it comes back empty.
 */
export class PrivateRedis {
  #process: OwnedProcess | null = null;

  private constructor(
    readonly port: number,
    readonly dir: string,
    readonly persistence: RedisPersistence,
    readonly options: PrivateRedisOptions = {},
  ) {}

  static async start(persistence: RedisPersistence, options: PrivateRedisOptions = {}): Promise<PrivateRedis> {
    const dir = await mkdtemp(join(tmpdir(), 'faults-redis-'));
    const redis = new PrivateRedis(await freePort(), dir, persistence, options);
    try {
      await redis.start();
    } catch (error) {
      await rm(dir, { recursive: true, force: true });
      throw error;
    }
    return redis;
  }

  /** Without the password, which a test passes separately or puts into the URL itself. */
  get url(): string {
    return `${this.options.tls ? 'rediss' : 'redis'}://127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return this.#process !== null && this.#process.exit() === null;
  }

  /** Starts it (again) on the same port and directory; resolves once it answers PING. */
  async start(): Promise<void> {
    if (this.running) return;
    const persistence = this.persistence === 'aof' ? ['--appendonly', 'yes', '--appendfsync', 'always'] : ['--appendonly', 'no'];
    const { password, tls } = this.options;
    const listen = tls
      ? ['--port', '0', '--tls-port', String(this.port), '--tls-cert-file', tls.certFile, '--tls-key-file', tls.keyFile]
      : ['--port', String(this.port)];
    const secured = [
      ...(tls ? ['--tls-ca-cert-file', tls.caFile, '--tls-auth-clients', 'no'] : []),
      ...(password === undefined ? [] : ['--requirepass', password]),
    ];
    const proc = spawnOwned(
      'redis-server',
      [
        ...listen,
        '--bind',
        '127.0.0.1',
        '--dir',
        this.dir,
        '--daemonize',
        'no',
        '--save',
        '',
        '--logfile',
        '',
        '--protected-mode',
        'no',
        ...persistence,
        ...secured,
      ],
      {},
    );
    this.#process = proc;
    await waitUntil(
      async () => {
        if (proc.exit() !== null) throw new StopWaiting(`redis-server exited: ${proc.output()}`);
        return (await ping(this.port, this.options)) === '+PONG';
      },
      `private redis on ${this.port}`,
      10_000,
    ).catch((error: unknown) => {
      proc.signal('SIGKILL');
      throw new Error(`${(error as Error).message}\n${proc.output()}`);
    });
  }

  /** SIGTERM and wait: a clean shutdown (with AOF, the file is complete). */
  async stop(): Promise<Exit | null> {
    return this.#process && this.running ? terminate(this.#process, 10_000) : null;
  }

  /** SIGKILL and wait: a crash. */
  async kill(): Promise<Exit | null> {
    if (!this.#process || !this.running) return null;
    this.#process.signal('SIGKILL');
    return this.#process.exited;
  }

  /** Crash (or stop) and start again on the same port and dir. */
  async restart(how: 'kill' | 'stop' = 'kill'): Promise<void> {
    await (how === 'kill' ? this.kill() : this.stop());
    await this.start();
  }

  output(): string {
    return this.#process?.output() ?? '';
  }

  /** Stops it and removes its directory. */
  async destroy(): Promise<void> {
    await this.kill();
    await rm(this.dir, { recursive: true, force: true });
  }
}

/** One raw PING (after AUTH when it has a password), so the wait loop does not depend on a client's reconnect logic. */
function ping(port: number, { password, tls }: PrivateRedisOptions): Promise<string> {
  return new Promise((resolve) => {
    const socket: Socket = tls ? connectTls({ host: '127.0.0.1', port, rejectUnauthorized: false }) : connect({ host: '127.0.0.1', port });
    let reply = '';
    const done = (answer: string) => {
      socket.destroy();
      resolve(answer);
    };
    socket.setTimeout(500, () => done('timeout'));
    socket.once('error', () => done('error'));
    socket.once(tls ? 'secureConnect' : 'connect', () =>
      socket.write(password === undefined ? 'PING\r\n' : `AUTH ${password}\r\nPING\r\n`),
    );
    socket.on('data', (chunk) => {
      reply += chunk.toString('utf8');
      const lines = reply.split('\r\n');
      if (lines.length > (password === undefined ? 1 : 2)) done(lines.at(-2) ?? '');
    });
  });
}
