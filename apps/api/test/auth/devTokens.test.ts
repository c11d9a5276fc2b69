import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { spawn } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeJwt } from 'jose';
import { AuthFailure, TokenVerifier, type Principal } from '../../src/adapter/in/web/auth/tokenVerifier.js';

/**
 * `npm run token` and the development secret `npm start` keeps: what they make, the API's own
 * verifier accepts.
 */
const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const SECRET = 'a-deployment-secret-of-at-least-32-chars';
const verifier = new TokenVerifier({ jwtSecret: SECRET, audience: 'ticketing' });

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI with exactly these variables (and PATH), never the developer's own AUTH_*. */
function token(
  args: string[],
  env: Record<string, string> = { AUTH_JWT_SECRET: SECRET },
  command = [process.execPath, 'scripts/token.mjs'],
): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(command[0]!, [...command.slice(1), ...args], { cwd: ROOT, env: { PATH: process.env.PATH ?? '', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

async function principalOf(run: Run, using = verifier): Promise<Principal | AuthFailure> {
  expect(run).toMatchObject({ code: 0, stderr: '' });
  expect(run.stdout).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+\n$/);
  return using.verify(`Bearer ${run.stdout.trim()}`);
}

const now = () => Math.floor(Date.now() / 1000);

describe('npm run token', () => {
  test('--member 42: a member token the API accepts, for 12 hours by default', async () => {
    const run = await token(['--member', '42']);
    expect(await principalOf(run)).toEqual({ memberId: 42, role: 'member', subject: '42' });
    const claims = decodeJwt(run.stdout.trim());
    expect(claims.exp! - now()).toBeGreaterThan(12 * 3600 - 60);
    expect(claims.exp! - now()).toBeLessThanOrEqual(12 * 3600);
    expect(claims).toMatchObject({ aud: 'ticketing', sub: '42', role: 'member' });
    expect(claims.iss).toBeUndefined();
  });

  test('--ttl sets the lifetime', async () => {
    for (const [ttl, seconds] of [
      ['90s', 90],
      ['30m', 1800],
      ['2h', 7200],
      ['7d', 604_800],
    ] as const) {
      const claims = decodeJwt((await token(['--member', '1', '--ttl', ttl])).stdout.trim());
      expect(claims.exp! - claims.iat!).toBe(seconds);
    }
  });

  test('--role admin and --role staff need no member', async () => {
    expect(await principalOf(await token(['--role', 'admin']))).toEqual({ memberId: null, role: 'admin', subject: 'admin' });
    expect(await principalOf(await token(['--role', 'staff', '--ttl', '2h']))).toEqual({ memberId: null, role: 'staff', subject: 'staff' });
    expect(await principalOf(await token(['--role', 'staff', '--member', '9']))).toEqual({ memberId: null, role: 'staff', subject: '9' });
  });

  test('AUTH_AUDIENCE and AUTH_ISSUER go into the token as the API expects them', async () => {
    const run = await token(['--member', '5'], { AUTH_JWT_SECRET: SECRET, AUTH_AUDIENCE: 'box-office', AUTH_ISSUER: 'https://id.example' });
    const strict = new TokenVerifier({ jwtSecret: SECRET, audience: 'box-office', issuer: 'https://id.example' });
    expect(await principalOf(run, strict)).toMatchObject({ memberId: 5 });
    expect(await verifier.verify(`Bearer ${run.stdout.trim()}`)).toBeInstanceOf(AuthFailure);
  });

  test('through npm, the token is alone on stdout: TOKEN=$(npm run -s token -- --member 42) works', async () => {
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    const run = await token(['--member', '42'], { AUTH_JWT_SECRET: SECRET, HOME: process.env.HOME ?? '' }, [
      npm,
      'run',
      '-s',
      'token',
      '--',
    ]);
    expect(await principalOf(run)).toMatchObject({ memberId: 42 });
  });

  test.each([
    [[], /a member token needs --member <id>/],
    [['--member', '0'], /--member must be a member id/],
    [['--member', '-1'], /--member/],
    [['--member', '01'], /--member must be a member id/],
    [['--member', 'abc'], /--member must be a member id/],
    [['--member', '1.5'], /--member must be a member id/],
    [['--member'], /--member/],
    [['--member', '1', '--role', 'root'], /--role must be one of member, staff, admin/],
    [['--member', '1', '--ttl', '0s'], /--ttl must be a positive whole number/],
    [['--member', '1', '--ttl', '2'], /--ttl must be a positive whole number/],
    [['--member', '1', '--ttl', '5x'], /--ttl must be a positive whole number/],
    [['--member', '1', '--ttl', '400d'], /--ttl must be at most a year/],
    [['--member', '1', '--lifetime', '2h'], /Unknown option '--lifetime'/],
    [['42'], /Unexpected argument '42'/],
  ])('%j: exit 2 with the reason and the usage, nothing on stdout', async (args, reason) => {
    const run = await token(args as string[]);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(reason);
    expect(run.stderr).toContain('usage: npm run token');
  });

  test('a short AUTH_JWT_SECRET, a JWKS deployment, or both keys: exit 1 saying why', async () => {
    const short = await token(['--member', '1'], { AUTH_JWT_SECRET: 'too-short' });
    expect(short).toMatchObject({ code: 1, stdout: '' });
    expect(short.stderr).toMatch(/AUTH_JWT_SECRET must be at least 32 characters/);
    const jwks = await token(['--role', 'admin'], { AUTH_JWKS_URL: 'https://id.example/jwks.json' });
    expect(jwks).toMatchObject({ code: 1, stdout: '' });
    expect(jwks.stderr).toMatch(/AUTH_JWKS_URL is set: tokens come from that identity provider/);
    const both = await token(['--role', 'admin'], { AUTH_JWT_SECRET: SECRET, AUTH_JWKS_URL: 'https://id.example/jwks.json' });
    expect(both).toMatchObject({ code: 1, stdout: '' });
    expect(both.stderr).toMatch(/only one of AUTH_JWT_SECRET and AUTH_JWKS_URL/);
  });

  test('--help prints the usage on stdout and exits 0', async () => {
    const run = await token(['--help']);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout).toContain('usage: npm run token');
  });
});

interface DevAuth {
  devSecret(file: string): string;
  signingSecret(env: Record<string, string | undefined>, file: string): { secret: string; source: string };
  developmentAuth(env: Record<string, string | undefined>, file: string): Promise<{ source: string; adminToken: string | null }>;
  mintToken(request: {
    secret: string;
    memberId?: number | null;
    role?: string;
    ttl?: string;
    env?: Record<string, string | undefined>;
  }): Promise<string>;
}

describe('the development secret', () => {
  let dev: DevAuth;
  let dir: string;

  beforeAll(async () => {
    // Plain JS without declarations: typed here by what the test uses.
    const devAuthModule: string = '../../../../scripts/devAuth.mjs';
    dev = (await import(devAuthModule)) as DevAuth;
    dir = await mkdtemp(join(tmpdir(), 'dev-auth-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test('is made once: 48 random bytes as base64url, readable by its owner only, and the same ever after', async () => {
    const file = join(dir, 'made-once', '.local', 'auth-secret');
    const secret = dev.devSecret(file);
    expect(secret).toMatch(/^[A-Za-z0-9_-]{64}$/);
    expect(Buffer.from(secret, 'base64url')).toHaveLength(48);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(dev.devSecret(file)).toBe(secret);
    expect((await readFile(file, 'utf8')).trim()).toBe(secret);
    expect(dev.devSecret(join(dir, 'another', 'auth-secret'))).not.toBe(secret);
  });

  test('a file others could read is closed again', async () => {
    const file = join(dir, 'loose', 'auth-secret');
    const secret = dev.devSecret(file);
    await chmod(file, 0o644);
    expect(dev.devSecret(file)).toBe(secret);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
  });

  test('a damaged file is refused with what to do', async () => {
    const file = join(dir, 'damaged', 'auth-secret');
    dev.devSecret(file);
    await writeFile(file, 'short\n');
    expect(() => dev.devSecret(file)).toThrow(/holds no usable secret .* delete it/);
  });

  test('signs when AUTH_JWT_SECRET is unset; AUTH_JWT_SECRET wins when set', async () => {
    const file = join(dir, 'signing', 'auth-secret');
    const own = dev.signingSecret({}, file);
    expect(own).toEqual({ secret: dev.devSecret(file), source: file });
    expect(dev.signingSecret({ AUTH_JWT_SECRET: SECRET }, file)).toEqual({ secret: SECRET, source: 'AUTH_JWT_SECRET' });
    const devVerifier = new TokenVerifier({ jwtSecret: own.secret, audience: 'ticketing' });
    expect(await devVerifier.verify(`Bearer ${await dev.mintToken({ secret: own.secret, memberId: 77 })}`)).toMatchObject({ memberId: 77 });
  });

  test('npm start: without keys, the development secret is handed to both processes and an admin token is made', async () => {
    const file = join(dir, 'start', 'auth-secret');
    const env: Record<string, string | undefined> = {};
    const auth = await dev.developmentAuth(env, file);
    expect(env.AUTH_JWT_SECRET).toBe(dev.devSecret(file));
    expect(auth.source).toBe(file);
    const apiVerifier = new TokenVerifier({ jwtSecret: env.AUTH_JWT_SECRET!, audience: 'ticketing' });
    expect(await apiVerifier.verify(`Bearer ${auth.adminToken}`)).toEqual({ memberId: null, role: 'admin', subject: 'admin' });
  });

  test('npm start: a configured key is left alone and no admin token is printed', async () => {
    const file = join(dir, 'configured', 'auth-secret');
    for (const env of [{ AUTH_JWT_SECRET: SECRET }, { AUTH_JWKS_URL: 'https://id.example/jwks.json' }]) {
      const before = { ...env };
      const auth = await dev.developmentAuth(env, file);
      expect(auth.adminToken).toBeNull();
      expect(env).toEqual(before);
    }
    await expect(stat(file)).rejects.toThrow(/ENOENT/);
  });
});
