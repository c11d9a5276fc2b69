export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Thrown by a wait's check when waiting longer cannot help (the process it waits for died). */
export class StopWaiting extends Error {}

/**
 * Polls `check` every intervalMs until it holds; throws naming `what` after timeoutMs. A check
 * that throws counts as "not yet" (a refused connection), unless it throws StopWaiting.
 */
export async function waitUntil(check: () => Promise<boolean> | boolean, what: string, timeoutMs: number, intervalMs = 25): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await Promise.resolve()
      .then(check)
      .catch((error: unknown) => {
        if (error instanceof StopWaiting) throw error;
        return false;
      });
    if (ok) return;
    if (Date.now() >= deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await sleep(intervalMs);
  }
}
