/**
 * A scheduler whose clock tests move by hand: `advance` runs every task that falls due on the way, in time
 * order, with the clock reading each task's time while it runs. Hand its `now` to the stack (mailgraph's
 * cache and budgets) and itself to the sandbox (`sandbox.scheduler`), and one clock drives everything.
 */
import type { Scheduler } from '../../src/sandbox/scheduler.js';

interface Task {
  time: number;
  seq: number;
  run: () => void;
}

export class ManualScheduler implements Scheduler {
  private time: number;
  private seq = 0;
  private tasks: Task[] = [];

  constructor(start = Date.parse('2026-11-21T12:00:00Z')) {
    this.time = start;
  }

  readonly now = (): number => this.time;

  at(time: number, run: () => void): () => void {
    const task: Task = { time, seq: this.seq++, run };
    this.tasks.push(task);
    return () => {
      this.tasks = this.tasks.filter((candidate) => candidate !== task);
    };
  }

  /** Moves the clock `ms` forward (0 runs what is due now), running each task as its time comes. */
  advance(ms: number): void {
    const end = this.time + ms;
    for (;;) {
      const next = this.tasks
        .filter((task) => task.time <= end)
        .sort((a, b) => a.time - b.time || a.seq - b.seq)[0];
      if (next === undefined) break;
      this.tasks = this.tasks.filter((task) => task !== next);
      this.time = Math.max(this.time, next.time);
      next.run();
    }
    this.time = end;
  }

  /** Tasks not yet run. */
  get pending(): number {
    return this.tasks.length;
  }
}
