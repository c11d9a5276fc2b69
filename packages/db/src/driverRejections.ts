/**
 * mariadb 3.4 sets up each new connection in a promise chain whose rejection nobody awaits
 * (Connection#authSucceedHandler): when the socket dies between the handshake and the session
 * statements (time zone, init SQL) — a database failing over, a proxy cutting connections — Node
 * would end the whole process on that unhandled rejection. The pool has already seen the failure
 * (its caller gets an error and retries), so such a rejection is only logged. Any other unhandled
 * rejection still ends the process, as Node's default does.
 */
export function tolerateDriverSetupRejections(log: { warn(fields: object, message: string): void }): void {
  process.on('unhandledRejection', (reason) => {
    if (isDriverConnectionFailure(reason)) {
      log.warn({ err: reason }, 'a database connection failed while being set up');
      return;
    }
    throw reason;
  });
}

function isDriverConnectionFailure(reason: unknown): boolean {
  const error = reason as { name?: unknown; fatal?: unknown } | null;
  return error?.name === 'SqlError' && error.fatal === true;
}
