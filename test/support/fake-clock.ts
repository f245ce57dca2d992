import type { Clock } from '../../src/telephony/provider.js';

export interface FakeClock extends Clock {
  /** Moves time forward, running every task that falls due, in time order. */
  advance(ms: number): Promise<void>;
}

/** A clock tests drive by hand (STYLE 9): nothing runs until `advance` reaches it. */
export function createFakeClock(start = Date.UTC(2026, 0, 5, 15)): FakeClock {
  let now = start;
  let nextId = 0;
  const tasks = new Map<number, { at: number; task: () => void }>();
  return {
    now: () => now,
    schedule(at, task) {
      const id = nextId++;
      tasks.set(id, { at, task });
      return () => tasks.delete(id);
    },
    async advance(ms) {
      const until = now + ms;
      for (;;) {
        const due = [...tasks.entries()].filter(([, t]) => t.at <= until).sort((a, b) => a[1].at - b[1].at)[0];
        if (!due) break;
        tasks.delete(due[0]);
        now = Math.max(now, due[1].at);
        due[1].task();
        // Let the task's database work finish before the next one falls due.
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      now = until;
    },
  };
}
