/**
 * When the emulator's delayed work runs (webhook playback and its retries): a clock, and "run this once the
 * clock reaches that time". The default runs on real timers; tests pass a scheduler whose clock they move
 * by hand (test/helpers/manual-scheduler.ts), so nothing in a test sleeps.
 */
export interface Scheduler {
  now(): number;
  /**
   * Runs `task` once the clock reaches `time` (soon, never synchronously, when it already has). Returns a
   * function that cancels the task if it has not run yet.
   */
  at(time: number, task: () => void): () => void;
}

/** Real timers on the real clock. Timers are unref'd: pending playback never keeps a process alive. */
export function timerScheduler(): Scheduler {
  return {
    now: Date.now,
    at(time, task) {
      const timer = setTimeout(task, Math.max(0, time - Date.now()));
      timer.unref();
      return () => clearTimeout(timer);
    },
  };
}

/**
 * For a clock that someone else moves (a fake `now` given without a scheduler): nothing says when it
 * reaches a later time, so only the tasks already due run (soon); later ones are never run.
 */
export function dueOnlyScheduler(now: () => number): Scheduler {
  return {
    now,
    at(time, task) {
      if (time > now()) return () => {};
      let cancelled = false;
      setImmediate(() => {
        if (!cancelled) task();
      });
      return () => {
        cancelled = true;
      };
    },
  };
}
