import { fail, ok, type Result } from '../domain/errors.js';
import type { IssueRequestState } from '../domain/issueRequest.js';
import { type PlaceInLine, placeInLine } from '../domain/placeInLine.js';
import type { SubmissionQueue } from '../ports/queue.js';
import { expiredProblem, isExpired, readIssueRequest, type ReadDeps } from './issueRequests.js';

export interface FollowDeps extends ReadDeps {
  queue: Pick<SubmissionQueue, 'findRequest' | 'watchDecision' | 'isSealed' | 'watchLine'>;
}

export interface RequestUpdates {
  /** The request's place changed; never a larger position than one told before (G11). */
  position(place: PlaceInLine): void;
  /** The request is decided: the last update. */
  decision(state: IssueRequestState): void;
}

/**
 * A missed wake-up (a message lost while the subscriber reconnected) costs at most this much
 * latency: the queue is asked again after it even when nothing woke the follower.
 */
const REREAD_MS = 10_000;

/**
 * Follows a request until it is decided or `signal` aborts: its place each time its ticket's
 * drainer completes a batch (from the one subscription of the process, not a read per follower),
 * then its decision. NOT_FOUND when there is no such request; the caller checks whose it is first.
 */
export async function followIssueRequest(
  deps: FollowDeps,
  requestId: string,
  signal: AbortSignal,
  updates: RequestUpdates,
  /** The request as the caller has just read it in full (the stream's route does, for its 404). */
  known?: IssueRequestState,
): Promise<Result<void>> {
  // Watch before reading, so a decision landing between the read and the wait is not missed.
  let watch = deps.queue.watchDecision(requestId);
  let unwatchLine = (): void => undefined;
  try {
    const stored = await deps.queue.findRequest(requestId);
    const sequence = stored?.kind === 'FOUND' ? (stored.line?.sequence ?? null) : null;
    let told: PlaceInLine | null = null;
    const tell = (place: PlaceInLine): void => {
      // Progress messages of a takeover may arrive out of order: a place once told only falls.
      // Only a change is told: a lower place, or the same place with a new estimate.
      if (
        told !== null &&
        (place.position > told.position || (place.position === told.position && place.estimatedWaitMs === told.estimatedWaitMs))
      ) {
        return;
      }
      told = place;
      updates.position(place);
    };
    if (stored?.kind === 'FOUND' && sequence !== null) {
      unwatchLine = deps.queue.watchLine(stored.request.ticketId, (progress) => tell(placeInLine({ sequence, ...progress })));
    }
    // Still undecided in the queue now that the watch is armed: the caller's read stands, and its
    // database query is not made twice. Anything else (decided meanwhile, gone) is read in full.
    const stillUndecided = stored?.kind === 'FOUND' && !stored.outcome;
    const first = known?.status === 'PENDING' && stillUndecided ? known : await readIssueRequest(deps, requestId);
    if (first === null) return fail('ISSUE_REQUEST_NOT_FOUND');
    if (isExpired(first)) return expiredProblem(first);
    let state = first;
    while (state.status === 'PENDING' && !signal.aborted) {
      if (state.position !== null) tell({ position: state.position, estimatedWaitMs: state.estimatedWaitMs });
      const woken = await watch.until(REREAD_MS, signal);
      if (signal.aborted) return ok(undefined);
      if (woken) {
        // A watch wakes once: the next wait needs a new one (armed before the read, as above).
        watch.close();
        watch = deps.queue.watchDecision(requestId);
      } else {
        const queued = await deps.queue.findRequest(requestId);
        if (queued?.kind === 'FOUND' && !queued.outcome) {
          // Nothing woke it and the queue still holds it undecided: the whole read (with its
          // database query) is left for a wake-up, so an idle follower costs one Redis read per
          // REREAD_MS; its place is told from that read in case a progress message was missed. A
          // batch committed by a worker that died before telling the queue is told by the next one.
          if (queued.line) tell(placeInLine(queued.line));
          continue;
        }
      }
      const next = await readIssueRequest(deps, requestId);
      // Gone meanwhile (its ticket's state removed): the stream ends; a reconnect is answered as a poll.
      if (next === null || isExpired(next)) return ok(undefined);
      state = next;
    }
    if (state.status !== 'PENDING') updates.decision(state);
    return ok(undefined);
  } finally {
    unwatchLine();
    watch.close();
  }
}
