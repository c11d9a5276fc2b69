import { type JsonBody, TimedHttp } from './timedHttp.js';
import { testTokens, type Tokens } from './tokens.js';

export interface JsonResponse<T = JsonBody> {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: T;
}

/**
 * A keep-alive JSON client with a bounded socket pool, as a load generator needs; throws when no
 * answer comes. Sends the tokens of `tokens` as TimedHttp does.
 */
export class HttpClient {
  readonly #http: TimedHttp;

  constructor(maxSockets = 256, timeoutMs = 60_000, tokens: Tokens | null = testTokens) {
    this.#http = new TimedHttp(maxSockets, timeoutMs, tokens);
  }

  async send<T = JsonBody>(method: string, url: string, body?: unknown, headers: Record<string, string> = {}): Promise<JsonResponse<T>> {
    const answer = await this.#http.send(method, url, body, undefined, headers);
    if (answer.status === 0) throw new Error(`${method} ${url}: ${answer.error}`);
    return { status: answer.status, headers: answer.headers, body: answer.body as T };
  }

  get<T = JsonBody>(url: string): Promise<JsonResponse<T>> {
    return this.send<T>('GET', url);
  }

  post<T = JsonBody>(url: string, body: unknown): Promise<JsonResponse<T>> {
    return this.send<T>('POST', url, body);
  }

  close(): void {
    this.#http.close();
  }
}

/** Runs tasks with at most `concurrency` in flight; results in task order. */
export async function runPool<T>(count: number, concurrency: number, task: (index: number) => Promise<T>): Promise<T[]> {
  const results = new Array<T>(count);
  let next = 0;
  async function lane(): Promise<void> {
    while (next < count) {
      const index = next++;
      results[index] = await task(index);
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, lane));
  return results;
}
