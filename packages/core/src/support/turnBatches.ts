/**
 * Calls made for one key during one turn of the event loop, answered by one run: in a drop
 * hundreds of calls for the same ticket are in flight at once, and one round trip can answer them
 * all. A turn's calls are flushed once its I/O callbacks and microtasks are done (setImmediate),
 * in the order they were made, so a run keeps the order of its callers.
 */
export class TurnBatches<Key, Input, Output> {
  #pending = new Map<Key, Array<Waiter<Input, Output>>>();
  #scheduled = false;

  constructor(
    /** Answers the inputs of one key, one output per input in the same order; a rejection fails them all. */
    private readonly run: (key: Key, inputs: Input[]) => Promise<Output[]>,
    /** Most inputs in one run; more in one turn make several runs, started in order. */
    private readonly maxBatch: number,
  ) {}

  add(key: Key, input: Input): Promise<Output> {
    return new Promise<Output>((resolve, reject) => {
      const waiters = this.#pending.get(key);
      const waiter = { input, resolve, reject };
      if (waiters) waiters.push(waiter);
      else this.#pending.set(key, [waiter]);
      if (!this.#scheduled) {
        this.#scheduled = true;
        setImmediate(() => this.#flush());
      }
    });
  }

  #flush(): void {
    const pending = this.#pending;
    this.#pending = new Map();
    this.#scheduled = false;
    for (const [key, waiters] of pending) {
      for (let start = 0; start < waiters.length; start += this.maxBatch) {
        this.#start(key, waiters.length <= this.maxBatch ? waiters : waiters.slice(start, start + this.maxBatch));
      }
    }
  }

  #start(key: Key, waiters: Array<Waiter<Input, Output>>): void {
    let running: Promise<Output[]>;
    try {
      running = this.run(
        key,
        waiters.map((waiter) => waiter.input),
      );
    } catch (error) {
      running = Promise.reject(error);
    }
    running.then(
      (outputs) => {
        for (let i = 0; i < waiters.length; i++) waiters[i]!.resolve(outputs[i]!);
      },
      (error: unknown) => {
        for (const waiter of waiters) waiter.reject(error);
      },
    );
  }
}

interface Waiter<Input, Output> {
  input: Input;
  resolve(output: Output): void;
  reject(error: unknown): void;
}
