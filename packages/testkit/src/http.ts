import { Agent, request } from 'node:http';

export interface JsonResponse<T = any> {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: T;
}

/** A keep-alive JSON client with a bounded socket pool, as a load generator needs. */
export class HttpClient {
  readonly #agent: Agent;

  constructor(maxSockets = 256) {
    this.#agent = new Agent({ keepAlive: true, maxSockets });
  }

  send<T = any>(method: string, url: string, body?: unknown, headers: Record<string, string> = {}): Promise<JsonResponse<T>> {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    return new Promise((resolve, reject) => {
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
            resolve({ status: res.statusCode ?? 0, headers: res.headers, body: parsed as T });
          });
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(payload);
    });
  }

  get<T = any>(url: string): Promise<JsonResponse<T>> {
    return this.send<T>('GET', url);
  }

  post<T = any>(url: string, body: unknown): Promise<JsonResponse<T>> {
    return this.send<T>('POST', url, body);
  }

  close(): void {
    this.#agent.destroy();
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
