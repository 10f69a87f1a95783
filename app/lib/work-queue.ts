/**
 * Work done one piece at a time, in the order it was handed in: each piece starts when the one
 * before has settled, and a failure does not stop the ones after it.
 */
export interface WorkQueue {
  /** Runs `work` after everything handed in before it; answers with its own result or error. */
  run<T>(work: () => Promise<T>): Promise<T>;
  /** Resolves when everything handed in so far has settled. */
  idle(): Promise<void>;
}

export function workQueue(): WorkQueue {
  let tail: Promise<unknown> = Promise.resolve();
  return {
    run(work) {
      const result = tail.then(work);
      tail = result.catch(() => undefined);
      return result;
    },
    idle: () => tail.then(() => undefined),
  };
}
