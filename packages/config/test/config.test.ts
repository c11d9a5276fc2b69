import { describe, expect, test } from '@jest/globals';
import { ConfigError, loadConfig, requireTokenKeys } from '../src/index.js';

/** The message loadConfig throws for this environment, or '' when it accepts it. */
function refusal(env: NodeJS.ProcessEnv): string {
  try {
    loadConfig(env);
    return '';
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
}

describe('loadConfig', () => {
  test('an empty environment gives the local defaults', () => {
    expect(loadConfig({})).toMatchObject({
      DATABASE_URL: 'mysql://root@127.0.0.1:3306/ticketing',
      REDIS_URL: 'redis://127.0.0.1:6379',
      QUEUE_PREFIX: 'ticketing',
      PORT: 3000,
      WORKER_BATCH_SIZE: 500,
      LOCK_TTL_MS: 5000,
      LOG_LEVEL: 'info',
    });
  });

  test('an empty value counts as unset', () => {
    expect(loadConfig({ PORT: '', WORKER_IDLE_MS: '' })).toMatchObject({ PORT: 3000, WORKER_IDLE_MS: 2000 });
  });

  test('a bad value stops the start with a message naming its variable', () => {
    const message = refusal({ PORT: '70000', QUEUE_PREFIX: 'has space' });
    expect(message).toContain('PORT');
    expect(message).toContain('QUEUE_PREFIX');
    expect(message).not.toContain('REDIS_URL');
  });
});

describe('BOARD_PASSWORD', () => {
  test('unset or empty: no board', () => {
    expect(loadConfig({}).BOARD_PASSWORD).toBeUndefined();
    expect(loadConfig({ BOARD_PASSWORD: '' }).BOARD_PASSWORD).toBeUndefined();
  });

  test('shorter than 12 characters is refused, naming the variable', () => {
    expect(refusal({ BOARD_PASSWORD: 'elevenchars' })).toMatch(/^\s+BOARD_PASSWORD: must be at least 12 characters/m);
  });

  test('12 characters or more is taken as it is', () => {
    expect(loadConfig({ BOARD_PASSWORD: 'twelve-chars' }).BOARD_PASSWORD).toBe('twelve-chars');
  });
});

describe('Redis secrets', () => {
  test('unset by default, TLS off', () => {
    const config = loadConfig({});
    expect([config.REDIS_PASSWORD, config.REDIS_USERNAME, config.REDIS_TLS]).toEqual([undefined, undefined, false]);
  });

  test('a password, a user and TLS are taken', () => {
    expect(loadConfig({ REDIS_PASSWORD: 's3cret', REDIS_USERNAME: 'app', REDIS_TLS: 'true' })).toMatchObject({
      REDIS_PASSWORD: 's3cret',
      REDIS_USERNAME: 'app',
      REDIS_TLS: true,
    });
    expect(loadConfig({ REDIS_TLS: 'false' }).REDIS_TLS).toBe(false);
  });

  test('REDIS_TLS other than true or false is refused, naming it', () => {
    expect(refusal({ REDIS_TLS: 'yes' })).toMatch(/^\s+REDIS_TLS: must be true or false/m);
  });

  test('a user without a password is refused', () => {
    expect(refusal({ REDIS_USERNAME: 'app' })).toMatch(/^\s+REDIS_USERNAME: needs REDIS_PASSWORD/m);
  });

  test('rediss:// URLs are accepted', () => {
    expect(loadConfig({ REDIS_URL: 'rediss://:pw@redis.example:6380' }).REDIS_URL).toBe('rediss://:pw@redis.example:6380');
  });
});

describe('the worker’s drain settings', () => {
  const drainSettings = [
    ['WORKER_IDLE_MS', 2000],
    ['WORKER_POLL_MAX_MS', 50],
    ['WORKER_RETRY_MIN_MS', 50],
    ['WORKER_RETRY_MAX_MS', 2000],
    ['WORKER_SCAN_INTERVAL_MS', 100],
    ['WORKER_MAX_TICKETS', 256],
  ] as const;

  test('default to the values the worker always ran with', () => {
    const config = loadConfig({});
    for (const [name, fallback] of drainSettings) expect([name, config[name]]).toEqual([name, fallback]);
  });

  test('are read as whole numbers', () => {
    const env = Object.fromEntries(drainSettings.map(([name], index) => [name, String(1000 + index)]));
    const config = loadConfig(env);
    for (const [name] of drainSettings) expect(config[name]).toBe(Number(env[name]));
  });

  test.each(drainSettings.flatMap(([name]) => ['0', '-1', '1.5', 'soon', '99999999'].map((value) => [name, value] as const)))(
    '%s=%s is refused, naming the variable',
    (name, value) => {
      const message = refusal({ [name]: value });
      expect(message).toMatch(new RegExp(`^\\s+${name}: `, 'm'));
    },
  );

  test('a retry minimum above the maximum is refused', () => {
    expect(refusal({ WORKER_RETRY_MIN_MS: '500', WORKER_RETRY_MAX_MS: '100' })).toMatch(
      /WORKER_RETRY_MAX_MS: must be at least WORKER_RETRY_MIN_MS \(500\)/,
    );
    expect(refusal({ WORKER_RETRY_MIN_MS: '100', WORKER_RETRY_MAX_MS: '100' })).toBe('');
  });
});

describe('identity and limits', () => {
  const secret = 'x'.repeat(32);

  test('default to no key, audience ticketing, 10 submissions per member, no per-IP limit, 3 / 10,000 watches, no proxy trusted', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      AUTH_AUDIENCE: 'ticketing',
      RATE_SUBMIT_PER_MEMBER: 10,
      RATE_PER_IP: 0,
      WATCH_PER_MEMBER: 3,
      WATCH_MAX: 10_000,
    });
    expect(config.AUTH_JWT_SECRET).toBeUndefined();
    expect(config.AUTH_JWKS_URL).toBeUndefined();
    expect(config.AUTH_ISSUER).toBeUndefined();
    expect(config.TRUST_PROXY).toBeUndefined();
  });

  test('the worker and the migration CLI load without a key; the API asks for one, naming both', () => {
    const config = loadConfig({});
    expect(() => requireTokenKeys(config)).toThrow(ConfigError);
    expect(() => requireTokenKeys(config)).toThrow(/AUTH_JWT_SECRET or AUTH_JWKS_URL/);
    expect(() => requireTokenKeys(loadConfig({ AUTH_JWT_SECRET: secret }))).not.toThrow();
    expect(() => requireTokenKeys(loadConfig({ AUTH_JWKS_URL: 'https://idp.example/jwks.json' }))).not.toThrow();
  });

  test('a secret shorter than 32 characters, a JWKS URL that is not http(s), or both keys are refused', () => {
    expect(refusal({ AUTH_JWT_SECRET: 'x'.repeat(31) })).toMatch(/^\s+AUTH_JWT_SECRET: must be at least 32 characters/m);
    expect(refusal({ AUTH_JWKS_URL: 'ftp://idp.example/keys' })).toMatch(/^\s+AUTH_JWKS_URL: /m);
    expect(refusal({ AUTH_JWT_SECRET: secret, AUTH_JWKS_URL: 'https://idp.example/jwks.json' })).toMatch(/AUTH_JWKS_URL: set only one/);
  });

  test('limits are whole numbers, 0 turning one off', () => {
    expect(loadConfig({ RATE_SUBMIT_PER_MEMBER: '0', RATE_PER_IP: '120' })).toMatchObject({ RATE_SUBMIT_PER_MEMBER: 0, RATE_PER_IP: 120 });
    expect(loadConfig({ WATCH_PER_MEMBER: '0', WATCH_MAX: '0' })).toMatchObject({ WATCH_PER_MEMBER: 0, WATCH_MAX: 0 });
    for (const value of ['-1', '1.5', 'many']) {
      for (const name of ['RATE_SUBMIT_PER_MEMBER', 'RATE_PER_IP', 'WATCH_PER_MEMBER', 'WATCH_MAX']) {
        expect(refusal({ [name]: value })).toMatch(new RegExp(`^\\s+${name}: `, 'm'));
      }
    }
  });

  test('RESULT_TTL_S: seconds, 86400 unless set, 0 meaning at once; a fraction, a negative or a word is refused', () => {
    expect(loadConfig({}).RESULT_TTL_S).toBe(86_400);
    expect(loadConfig({ RESULT_TTL_S: '2' }).RESULT_TTL_S).toBe(2);
    expect(loadConfig({ RESULT_TTL_S: '0' }).RESULT_TTL_S).toBe(0);
    for (const value of ['-1', '1.5', 'a day', '31536001']) expect(refusal({ RESULT_TTL_S: value })).toMatch(/^\s+RESULT_TTL_S: /m);
  });

  test('TRUST_PROXY becomes what Express trust proxy takes: a hop count, a boolean, or addresses', () => {
    expect(loadConfig({ TRUST_PROXY: '1' }).TRUST_PROXY).toBe(1);
    expect(loadConfig({ TRUST_PROXY: 'true' }).TRUST_PROXY).toBe(true);
    expect(loadConfig({ TRUST_PROXY: 'loopback' }).TRUST_PROXY).toBe('loopback');
    expect(loadConfig({ TRUST_PROXY: 'loopback, 10.0.0.0/8' }).TRUST_PROXY).toBe('loopback, 10.0.0.0/8');
  });
});
