/** What the bench hands its stream client (a JSON file): whom to watch, on which API. */
export interface StreamsPlan {
  host: string;
  port: number;
  watchers: Array<{ requestId: string; token: string }>;
  /** Most connections waiting for their response headers at once while the streams open. */
  openWindow: number;
  /**
   * Wall-clock ms after which the client says the streams are open even if some first connections
   * are still unanswered (an API past its capacity), so the drain is measured anyway.
   */
  openLimitAtMs: number;
  /** Wall-clock ms after which the client stops waiting for decisions and reports. */
  deadlineAtMs: number;
  resultPath: string;
}

/**
 * What the client reports (a JSON file). `positions` is flat, four numbers per position event:
 * watcher index, wall-clock arrival ms (performance.timeOrigin + performance.now(), comparable
 * across processes of this machine), position, and 1 when it was the first event of its
 * connection (the state sent at connect, not a change pushed by the fan-out), else 0.
 */
export interface StreamsClientResult {
  opened: number;
  /** Streams open when the client said so (all of them, unless the open limit came first). */
  openedAtStart: number;
  /** Non-200 answers by status. */
  refused: Record<string, number>;
  /** Connections made, reconnects included (a stream ends after 55 s and the client comes back). */
  connections: number;
  /** Connections that broke with a socket error. */
  errors: number;
  decisions: number;
  /** Decisions by status (ISSUED, REJECTED, FAILED). */
  decisionStatus: Record<string, number>;
  positions: number[];
  /** Client CPU (user + system ms) while opening, and from open until the end. */
  cpuOpenMs: number;
  cpuDrainMs: number;
  /** From the streams being open to the last decision, ms. */
  drainWallMs: number;
  timedOut: boolean;
}
