import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';
import { testTokens, type Tokens } from './tokens.js';

/** Wall-clock milliseconds with sub-millisecond resolution, comparable with the servers' timestamps. */
export const now = (): number => performance.timeOrigin + performance.now();

/** A parsed JSON answer: tests and load scripts read its fields loosely, as a client would. */
// biome-ignore lint/suspicious/noExplicitAny: a JSON answer's shape is what the test asserts, not what it assumes.
export type JsonBody = any;

export interface Answer {
  /** 0 when there was no HTTP answer: refused, reset or timed out (see error). */
  status: number;
  body: JsonBody;
  headers: Record<string, string | string[] | undefined>;
  sentAt: number;
  receivedAt: number;
  error?: string;
}

/**
 * A keep-alive JSON client that never throws and never waits forever: a fault scenario must see a
 * hanging request as a measured failure, not hang with it. Unless told otherwise it carries a
 * bearer token of `tokens` (the submission's member, else the admin: Tokens.authorizationFor);
 * `tokens` null sends none, and an `authorization` header given to a call wins.
 */
export class TimedHttp {
  readonly #agent: Agent;

  constructor(
    maxSockets: number,
    private readonly timeoutMs = 10_000,
    private readonly tokens: Tokens | null = testTokens,
  ) {
    this.#agent = new Agent({ keepAlive: true, maxSockets });
  }

  async send(
    method: string,
    url: string,
    body?: unknown,
    timeoutMs = this.timeoutMs,
    headers: Record<string, string> = {},
  ): Promise<Answer> {
    if (this.tokens && !Object.keys(headers).some((name) => name.toLowerCase() === 'authorization')) {
      headers = { ...headers, authorization: await this.tokens.authorizationFor(method, url, body) };
    }
    return this.#send(method, url, body, timeoutMs, headers);
  }

  #send(method: string, url: string, body: unknown, timeoutMs: number, headers: Record<string, string>): Promise<Answer> {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const sentAt = now();
    return new Promise((resolve) => {
      let settled = false;
      const finish = (answer: Omit<Answer, 'sentAt' | 'receivedAt'>) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve({ ...answer, sentAt, receivedAt: now() });
      };
      const req = request(
        url,
        {
          method,
          agent: this.#agent,
          headers: payload ? { 'content-type': 'application/json', 'content-length': payload.length, ...headers } : headers,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let parsed: unknown = text;
            try {
              parsed = text ? JSON.parse(text) : null;
            } catch {
              // not JSON: keep the text
            }
            finish({ status: res.statusCode ?? 0, headers: res.headers, body: parsed });
          });
          res.on('error', (error) => finish({ status: 0, headers: {}, body: null, error: error.message }));
        },
      );
      // Counted from the send, including time spent waiting for a free socket.
      const timer = setTimeout(() => {
        finish({ status: 0, headers: {}, body: null, error: `no answer within ${timeoutMs} ms` });
        req.destroy();
      }, timeoutMs);
      req.on('error', (error) => finish({ status: 0, headers: {}, body: null, error: error.message }));
      req.end(payload);
    });
  }

  get(url: string, timeoutMs?: number): Promise<Answer> {
    return this.send('GET', url, undefined, timeoutMs);
  }

  post(url: string, body: unknown, timeoutMs?: number, headers?: Record<string, string>): Promise<Answer> {
    return this.send('POST', url, body, timeoutMs, headers);
  }

  close(): void {
    this.#agent.destroy();
  }
}
