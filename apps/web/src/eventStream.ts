import { type SseEvent, SseParser } from './sseParser.js';

/** The stream could not be opened or broke: the caller falls back (member page) or retries (console). */
export class StreamFailed extends Error {
  constructor(
    message: string,
    readonly status: number | null = null,
  ) {
    super(message);
  }
}

/**
 * Reads a text/event-stream with fetch, so it can carry the bearer token EventSource cannot.
 * Calls `onEvent` for each event; resolves when the server ends the stream, rejects with
 * StreamFailed when it is refused (non-200, not an event stream) or breaks, and with an AbortError
 * when `signal` aborts.
 */
export async function readEventStream(
  url: string,
  headers: Record<string, string>,
  onEvent: (event: SseEvent) => void,
  signal: AbortSignal,
): Promise<void> {
  let response: Response;
  try {
    response = await fetch(url, { headers: { ...headers, Accept: 'text/event-stream' }, signal, cache: 'no-store' });
  } catch (error) {
    if (signal.aborted) throw error;
    throw new StreamFailed(`network: ${String(error)}`);
  }
  const type = response.headers.get('content-type') ?? '';
  if (response.status !== 200 || !type.startsWith('text/event-stream') || !response.body) {
    await response.body?.cancel().catch(() => undefined);
    throw new StreamFailed(`refused: ${response.status} ${type}`, response.status);
  }
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  const parser = new SseParser();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      for (const event of parser.feed(value)) onEvent(event);
    }
  } catch (error) {
    if (signal.aborted) throw error;
    throw new StreamFailed(`broken: ${String(error)}`);
  } finally {
    reader.releaseLock();
  }
}
