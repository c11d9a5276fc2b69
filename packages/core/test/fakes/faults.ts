type Action = () => void | Promise<void>;

/**
 * What a fake's next calls do first, one action per call: throw (a failure) or change the world
 * (another holder's commit, a takeover) before the fake answers. Also counts the calls.
 */
export class Faults<Method extends string> {
  readonly #next = new Map<Method, Action[]>();
  readonly #calls = new Map<Method, number>();

  onNext(method: Method, action: Action): void {
    this.#next.set(method, [...(this.#next.get(method) ?? []), action]);
  }

  calls(method: Method): number {
    return this.#calls.get(method) ?? 0;
  }

  async before(method: Method): Promise<void> {
    this.#calls.set(method, this.calls(method) + 1);
    const action = this.#next.get(method)?.shift();
    if (action) await action();
  }
}
