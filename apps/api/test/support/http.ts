import { testTokens, type JsonBody } from '@ticketing/testkit';

export interface Answer<T = JsonBody> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
  elapsedMs: number;
}

export interface CallOptions {
  /** A value is sent as JSON; a string is sent as it is. */
  body?: unknown;
  headers?: Record<string, string>;
  /**
   * The bearer token to send. Left out: the caller the request suits (testTokens.authorizationFor:
   * the submission's member, the admin otherwise); null: no Authorization header at all. An
   * `authorization` in headers wins over both.
   */
  token?: string | null;
}

/** One HTTP call with a token (see CallOptions.token); the body is parsed as JSON when it is JSON. */
export async function call<T = JsonBody>(base: string, method: string, path: string, options: CallOptions = {}): Promise<Answer<T>> {
  const headers: Record<string, string> = { ...options.headers };
  if (!Object.keys(headers).some((name) => name.toLowerCase() === 'authorization') && options.token !== null) {
    headers.authorization =
      options.token === undefined ? await testTokens.authorizationFor(method, path, jsonOf(options.body)) : `Bearer ${options.token}`;
  }
  let body: string | undefined;
  if (typeof options.body === 'string') body = options.body;
  else if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers['content-type'] ??= 'application/json';
  }
  const startedAt = performance.now();
  const response = await fetch(`${base}${path}`, { method, headers, body });
  const text = await response.text();
  const type = response.headers.get('content-type') ?? '';
  return {
    status: response.status,
    headers: response.headers,
    text,
    body: /json/.test(type) && text !== '' ? JSON.parse(text) : text,
    elapsedMs: performance.now() - startedAt,
  };
}

function jsonOf(body: unknown): unknown {
  if (typeof body !== 'string') return body;
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}

/** A client bound to one server. */
export function client(base: string) {
  return {
    get: <T = JsonBody>(path: string, headers?: Record<string, string>) => call<T>(base, 'GET', path, { headers }),
    post: <T = JsonBody>(path: string, body?: unknown, headers?: Record<string, string>) => call<T>(base, 'POST', path, { body, headers }),
    delete: <T = JsonBody>(path: string, headers?: Record<string, string>) => call<T>(base, 'DELETE', path, { headers }),
    call: <T = JsonBody>(method: string, path: string, options?: CallOptions) => call<T>(base, method, path, options),
  };
}

export type Client = ReturnType<typeof client>;
