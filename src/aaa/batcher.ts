// Group commit for the per-packet path: requests that arrive while a database call is in flight
// wait and go together in the next call (one round trip, one transaction). Under light load a
// request goes alone at once, so batching adds no latency; under heavy load it removes the
// per-transaction cost that otherwise bounds throughput.

export interface BatcherOptions<T> {
  /** Most items per database call. */
  maxBatch: number;
  /** Calls in flight at once. 1 keeps strict arrival order. */
  concurrency: number;
  /**
   * Items sharing a key never share a batch: a later one waits for the next call, so a set-based
   * statement sees at most one item per key (e.g. one accounting record per session and per
   * device), and a key's items are applied in arrival order. Only with concurrency 1: nothing
   * keeps a key out of two calls in flight at once.
   */
  keysOf?: (item: T) => string[];
  /** An error that splitting cannot help (e.g. the connection is gone): fail the batch at once. */
  isFatal?: (err: unknown) => boolean;
}

export interface Batcher<T, R> {
  submit(item: T): Promise<R>;
  /** Waits until everything submitted so far has settled. */
  drain(): Promise<void>;
}

interface Pending<T, R> {
  item: T;
  resolve(result: R): void;
  reject(err: unknown): void;
}

/**
 * `run` receives a batch and returns one result per item, in order. If a batch of several
 * fails, it is split in two halves, each run again (and split again if it fails), so one bad
 * item (or a lock conflict with another instance) fails only itself, and costs the good items
 * of its batch about 2·log2(batch) extra calls, not one call each. An error `isFatal` calls
 * final (the database is unreachable: splitting would only multiply the calls) fails the
 * whole batch at once. Nothing is retried beyond that: a failed item's promise rejects.
 */
export function createBatcher<T, R>(run: (items: T[]) => Promise<R[]>, options: BatcherOptions<T>): Batcher<T, R> {
  if (options.keysOf && options.concurrency !== 1) throw new Error('keysOf needs concurrency 1');
  let queue: Pending<T, R>[] = [];
  const inFlight = new Set<Promise<void>>();

  /** Runs a batch; returns how to settle its items' promises, which the caller does last. */
  async function execute(batch: Pending<T, R>[]): Promise<() => void> {
    try {
      const results = await run(batch.map((p) => p.item));
      return () => {
        for (const [i, p] of batch.entries()) p.resolve(results[i]);
      };
    } catch (err) {
      if (batch.length === 1 || options.isFatal?.(err)) {
        return () => {
          for (const p of batch) p.reject(err);
        };
      }
      // Halves in order (a key's items keep their arrival order); each settles as soon as it is done.
      const middle = Math.ceil(batch.length / 2);
      (await execute(batch.slice(0, middle)))();
      (await execute(batch.slice(middle)))();
      return () => {};
    }
  }

  function take(): Pending<T, R>[] {
    if (!options.keysOf) {
      const batch = queue.slice(0, options.maxBatch);
      queue = queue.slice(batch.length);
      return batch;
    }
    const batch: Pending<T, R>[] = [];
    const waiting: Pending<T, R>[] = [];
    const keys = new Set<string>();
    for (const p of queue) {
      const itemKeys = options.keysOf(p.item);
      if (batch.length < options.maxBatch && !itemKeys.some((k) => keys.has(k))) batch.push(p);
      else waiting.push(p);
      for (const k of itemKeys) keys.add(k); // a key's later items wait too: none overtakes one left waiting
    }
    queue = waiting;
    return batch;
  }

  function pump(): void {
    while (inFlight.size < options.concurrency && queue.length > 0) {
      const batch = take();
      // The next batch is sent before this one's items are settled: their continuations (here,
      // encoding and sending replies) then run while the database works on the next batch.
      const call: Promise<void> = execute(batch).then((settle) => {
        inFlight.delete(call);
        pump();
        settle();
      });
      inFlight.add(call);
    }
  }

  return {
    submit(item) {
      return new Promise<R>((resolve, reject) => {
        queue.push({ item, resolve, reject });
        pump();
      });
    },
    async drain() {
      while (inFlight.size > 0) await Promise.all([...inFlight]);
    },
  };
}
