import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './freePort.js';
import { spawnOwned, terminate, type Exit, type OwnedProcess } from './ownedProcess.js';
import { StopWaiting, waitUntil } from './waitUntil.js';

export type RedisPersistence = 'aof' | 'none';

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
  ) {}

  static async start(persistence: RedisPersistence): Promise<PrivateRedis> {
    const dir = await mkdtemp(join(tmpdir(), 'faults-redis-'));
    const redis = new PrivateRedis(await freePort(), dir, persistence);
    try {
      await redis.start();
    } catch (error) {
      await rm(dir, { recursive: true, force: true });
      throw error;
    }
    return redis;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return this.#process !== null && this.#process.exit() === null;
  }

  /** Starts it (again) on the same port and directory; resolves once it answers PING. */
  async start(): Promise<void> {
    if (this.running) return;
    const persistence = this.persistence === 'aof' ? ['--appendonly', 'yes', '--appendfsync', 'always'] : ['--appendonly', 'no'];
    const proc = spawnOwned(
      'redis-server',
      [
        '--port',
        String(this.port),
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
      ],
      {},
    );
    this.#process = proc;
    await waitUntil(
      async () => {
        if (proc.exit() !== null) throw new StopWaiting(`redis-server exited: ${proc.output()}`);
        return (await ping(this.port)) === '+PONG';
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

/** One raw PING, so the wait loop does not depend on a client's reconnect logic. */
function ping(port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    let reply = '';
    const done = (answer: string) => {
      socket.destroy();
      resolve(answer);
    };
    socket.setTimeout(500, () => done('timeout'));
    socket.once('error', () => done('error'));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      reply += chunk.toString('utf8');
      if (reply.includes('\r\n')) done(reply.trim());
    });
  });
}
