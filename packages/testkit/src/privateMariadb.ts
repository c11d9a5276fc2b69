import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createConnection } from 'mariadb';
import { freePort } from './freePort.js';
import { spawnOwned, terminate, type Exit, type OwnedProcess } from './ownedProcess.js';
import { StopWaiting, waitUntil } from './waitUntil.js';

const run = promisify(execFile);
const MARIADBD = process.env.MARIADBD ?? '/usr/sbin/mariadbd';

/** Small and quick to start: this server holds one drop, not production data. */
const SERVER_OPTIONS = [
  '--bind-address=127.0.0.1',
  '--skip-name-resolve',
  '--skip-log-bin',
  '--innodb-buffer-pool-size=32M',
  '--innodb-log-file-size=8M',
  '--max-connections=300',
];

/**
 * A MariaDB server of our own (its own datadir and port, never the shared one on 3306), so a
 * scenario can take the database away and bring it back. root has no password and may connect
 * over TCP from 127.0.0.1 (--auth-root-authentication-method=normal).
 */
export class PrivateMariadb {
  #process: OwnedProcess | null = null;

  private constructor(
    readonly port: number,
    readonly dir: string,
  ) {}

  static async start(): Promise<PrivateMariadb> {
    const dir = await mkdtemp(join(tmpdir(), 'faults-mariadb-'));
    const server = new PrivateMariadb(await freePort(), dir);
    try {
      await run('mariadb-install-db', [
        '--no-defaults',
        `--datadir=${server.datadir}`,
        '--auth-root-authentication-method=normal',
        '--skip-test-db',
        ...server.#userOption(),
        ...SERVER_OPTIONS,
      ]);
      await server.start();
    } catch (error) {
      await server.destroy();
      throw error;
    }
    return server;
  }

  get datadir(): string {
    return join(this.dir, 'data');
  }

  get running(): boolean {
    return this.#process !== null && this.#process.exit() === null;
  }

  /** mysql://root@127.0.0.1:<port>/<database> */
  urlFor(database: string): string {
    return `mysql://root@127.0.0.1:${this.port}/${database}`;
  }

  get url(): string {
    return this.urlFor('ticketing_fault');
  }

  /** Starts it (again) on the same datadir and port; resolves once it answers a query. */
  async start(): Promise<void> {
    if (this.running) return;
    const proc = spawnOwned(
      MARIADBD,
      [
        '--no-defaults',
        ...this.#userOption(),
        `--datadir=${this.datadir}`,
        `--port=${this.port}`,
        `--socket=${join(this.dir, 'mariadb.sock')}`,
        `--pid-file=${join(this.dir, 'mariadb.pid')}`,
        `--log-error=${join(this.dir, 'error.log')}`,
        ...SERVER_OPTIONS,
      ],
      {},
    );
    this.#process = proc;
    await waitUntil(
      async () => {
        if (proc.exit() !== null) throw new StopWaiting(`mariadbd exited: ${proc.output()}`);
        const conn = await createConnection({ host: '127.0.0.1', port: this.port, user: 'root', connectTimeout: 500 });
        await conn.end();
        return true;
      },
      `private mariadb on ${this.port}`,
      30_000,
    );
  }

  /** SIGTERM and wait for a clean shutdown: the outage begins when it is gone. */
  async stop(): Promise<Exit | null> {
    return this.#process && this.running ? terminate(this.#process, 30_000) : null;
  }

  output(): string {
    return this.#process?.output() ?? '';
  }

  async destroy(): Promise<void> {
    await this.stop();
    await rm(this.dir, { recursive: true, force: true });
  }

  // mariadbd refuses to run as root unless told to.
  #userOption(): string[] {
    return process.getuid?.() === 0 ? ['--user=root'] : [];
  }
}
