/** One Server-Sent Events frame as a client sees it: a comment (heartbeat) has event ':comment'. */
export interface SseFrame {
  event: string;
  data: string;
  at: number;
}

export interface SseSession {
  status: number;
  headers: Headers;
  /** Frames so far; complete once `ended` resolves. */
  frames: SseFrame[];
  /** Resolves when the server ends the stream (or `close` is called). */
  ended: Promise<void>;
  close(): void;
  /** Resolves with the first frame that satisfies `match` (waiting for it if need be). */
  next(match: (frame: SseFrame) => boolean, timeoutMs?: number): Promise<SseFrame>;
}

/** Opens an event stream with fetch (EventSource cannot send a bearer token) and parses its frames. */
export async function openSse(url: string, token: string | null): Promise<SseSession> {
  const controller = new AbortController();
  const res = await fetch(url, { headers: token ? { authorization: `Bearer ${token}` } : {}, signal: controller.signal });
  const frames: SseFrame[] = [];
  const waiting = new Set<() => void>();
  const ended = (async () => {
    if (!res.body) return;
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of res.body) {
        buffer += decoder.decode(chunk as Uint8Array, { stream: true });
        let end = buffer.indexOf('\n\n');
        while (end >= 0) {
          frames.push(parseFrame(buffer.slice(0, end)));
          buffer = buffer.slice(end + 2);
          end = buffer.indexOf('\n\n');
        }
        for (const wake of waiting) wake();
      }
    } catch {
      // closed by the client
    }
    for (const wake of waiting) wake();
  })();
  let done = false;
  void ended.then(() => {
    done = true;
  });
  return {
    status: res.status,
    headers: res.headers,
    frames,
    ended,
    close: () => controller.abort(),
    async next(match, timeoutMs = 10_000) {
      const deadline = performance.now() + timeoutMs;
      for (;;) {
        const found = frames.find(match);
        if (found) return found;
        if (done) throw new Error(`the stream ended without the frame; got ${frames.map((f) => f.event).join(', ')}`);
        const left = deadline - performance.now();
        if (left <= 0) throw new Error(`no such frame within ${timeoutMs} ms; got ${frames.map((f) => f.event).join(', ')}`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, Math.min(left, 100));
          waiting.add(() => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
    },
  };
}

function parseFrame(text: string): SseFrame {
  let event = 'message';
  const data: string[] = [];
  for (const line of text.split('\n')) {
    if (line.startsWith(':')) return { event: ':comment', data: line.slice(1).trim(), at: performance.now() };
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'event') event = value;
    else if (field === 'data') data.push(value);
    else if (field === 'retry') event = 'retry';
  }
  return { event, data: event === 'retry' ? text.replace(/^retry: ?/, '') : data.join('\n'), at: performance.now() };
}
