import { ApiError, headersFor, type IssueRequest, poll } from './api.js';
import { readEventStream, StreamFailed } from './eventStream.js';

export interface WatchUpdate {
  position: number | null;
  estimatedWaitMs: number | null;
  via: 'stream' | 'poll';
}

/** How long one long-poll is held: the position in its answer is the page's update when streams fail. */
const POLL_WAIT_MS = 5_000;
/** A stream that broke is reopened this many times before the page falls back to polls. */
const STREAM_REOPENS = 3;
/** The server's `retry:` for a stream it ends without a decision. */
const REOPEN_AFTER_MS = 1_000;

/**
 * Follows a PENDING request until it is decided: the event stream first (position events, then the
 * decision), the long-poll when the stream is refused or keeps breaking (a proxy that buffers or
 * blocks text/event-stream, or a server without streams). Resolves with the decided request.
 */
export async function watchRequest(
  request: IssueRequest,
  token: string,
  onUpdate: (update: WatchUpdate) => void,
  signal: AbortSignal,
): Promise<IssueRequest> {
  const url = `/api/v1/issue-requests/${encodeURIComponent(request.requestId)}/events`;
  let breaks = 0;
  while (breaks <= STREAM_REOPENS) {
    let decided: IssueRequest | null = null;
    try {
      await readEventStream(
        url,
        headersFor(token),
        (event) => {
          if (event.event === 'position') {
            const body = JSON.parse(event.data) as { position?: number | null; estimatedWaitMs?: number | null };
            onUpdate({ position: body.position ?? null, estimatedWaitMs: body.estimatedWaitMs ?? null, via: 'stream' });
          } else if (event.event === 'decision') decided = JSON.parse(event.data) as IssueRequest;
        },
        signal,
      );
    } catch (error) {
      if (!(error instanceof StreamFailed)) throw error;
      if (error.status !== null) break; // refused: reopening would be refused again
      breaks += 1;
    }
    if (decided) return decided;
    // Ended without a decision: the server closes a stream after its lifetime (55 s) and asks for a
    // reconnect after 1 s (`retry: 1000`), which is no failure; a break counts towards the fallback.
    await pause(REOPEN_AFTER_MS, signal);
  }
  return pollUntilDecided(request.requestId, token, onUpdate, signal);
}

async function pollUntilDecided(
  requestId: string,
  token: string,
  onUpdate: (update: WatchUpdate) => void,
  signal: AbortSignal,
): Promise<IssueRequest> {
  for (;;) {
    try {
      const answer = await poll(requestId, token, POLL_WAIT_MS, signal);
      if (answer.status !== 'PENDING') return answer;
      onUpdate({ position: answer.position ?? null, estimatedWaitMs: answer.estimatedWaitMs ?? null, via: 'poll' });
    } catch (error) {
      if (!(error instanceof ApiError) || (error.status !== 0 && error.status !== 429 && error.status < 500)) throw error;
      // Away for a moment (network, 503, or too many held polls): wait as told, then ask again.
      await pause((error.retryAfterS ?? 1) * 1000, signal);
    }
  }
}

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(signal.reason);
      },
      { once: true },
    );
  });
}
