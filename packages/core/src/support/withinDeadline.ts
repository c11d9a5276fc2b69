/**
 * `work`'s outcome when it settles within `ms`, otherwise `late()`'s: its value, or its throw as a
 * rejection. The work is not cancelled; a failure it meets after the deadline has nobody left to
 * answer, so it is swallowed.
 */
export function withinDeadline<T>(work: PromiseLike<T>, ms: number, late: () => T): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const running = Promise.resolve(work);
  running.catch(() => undefined);
  const expired = new Promise<T>((resolve, reject) => {
    timer = setTimeout(() => {
      try {
        resolve(late());
      } catch (error) {
        reject(error);
      }
    }, ms);
  });
  return Promise.race([running, expired]).finally(() => clearTimeout(timer));
}
