/** A promise with its settle functions, for waiters that are resolved together (group commits). */
export interface Deferred {
  promise: Promise<void>;
  resolve: () => void;
  reject: (err: unknown) => void;
}

/**
 * A waiter may never be awaited (e.g. removals nobody waits on): its rejection is marked handled here,
 * and failures are reported through the owner's own error path.
 */
export function deferred(): Deferred {
  let resolve!: () => void;
  let reject!: (err: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  promise.catch(() => undefined);
  return { promise, resolve, reject };
}
