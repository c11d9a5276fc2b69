/** Links followed at most: a cyclic or absurdly deep chain ends here instead of looping. */
const MAX_LINKS = 6;

/**
 * An error and the errors behind it, outermost first: each link's `cause`, or where Prisma puts
 * the driver's error (`meta.driverAdapterError`). Only objects are yielded.
 */
export function* errorChain(error: unknown): Generator<Record<string, unknown>> {
  let current = error;
  for (let depth = 0; depth < MAX_LINKS && typeof current === 'object' && current !== null; depth += 1) {
    const link = current as Record<string, unknown>;
    yield link;
    const meta = link.meta as Record<string, unknown> | undefined;
    current = meta?.driverAdapterError ?? link.cause;
  }
}
