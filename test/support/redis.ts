import { removeRedisPrefix, uniqueRedisPrefix } from '@ticketing/testkit';

export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export const createTestRedisPrefix = (): string => uniqueRedisPrefix('test');

export const cleanRedisPrefix = (prefix: string, url = TEST_REDIS_URL): Promise<void> => removeRedisPrefix(url, prefix);
