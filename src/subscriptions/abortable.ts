/**
 * An async generator that can be told to stop while it waits. A plain async generator's `return()` waits
 * until the generator reaches its next `yield`: one that follows the event log for a message that never
 * gets another event would keep its listener, and its client's place, forever. This one aborts the
 * signal the generator waits on, so that it ends at once and its `finally` blocks run.
 */
export function abortable<T>(start: (signal: AbortSignal) => AsyncGenerator<T>): AsyncGenerator<T> {
  const controller = new AbortController();
  const inner = start(controller.signal);
  const generator: AsyncGenerator<T> = {
    next: (...args) => inner.next(...args),
    return(value) {
      controller.abort();
      return inner.return(value);
    },
    throw(error) {
      controller.abort();
      return inner.throw(error);
    },
    [Symbol.asyncIterator]() {
      return generator;
    },
  };
  return generator;
}
