import { describe, expect, it } from 'vitest';
import { createHashGate, MAX_CONCURRENT_HASHES } from './hash-gate.js';

describe('hash gate', () => {
  it('ED2 runs at most maxConcurrent at once, queues up to maxWaiting, and refuses the rest at once', async () => {
    const gate = createHashGate({ maxConcurrent: 2, maxWaiting: 3 });
    let running = 0;
    let peak = 0;
    const releases: Array<() => void> = [];
    const work = () =>
      new Promise<number>((resolve) => {
        running += 1;
        peak = Math.max(peak, running);
        releases.push(() => {
          running -= 1;
          resolve(running);
        });
      });
    const results = Array.from({ length: 7 }, () => gate.run(work));
    // Two run, three wait, two are refused without running.
    expect(await results[5]).toEqual({ ok: false });
    expect(await results[6]).toEqual({ ok: false });
    while (releases.length > 0 || running > 0) {
      releases.shift()?.();
      await new Promise((resolve) => setImmediate(resolve));
    }
    const settled = await Promise.all(results.slice(0, 5));
    expect(settled.every((result) => result.ok)).toBe(true);
    expect(peak).toBe(2);
  });

  it('ED2 leaves libuv threadpool threads free for JWT checks', () => {
    expect(MAX_CONCURRENT_HASHES).toBeGreaterThanOrEqual(1);
    expect(MAX_CONCURRENT_HASHES).toBeLessThanOrEqual(Math.max(1, (Number(process.env.UV_THREADPOOL_SIZE) || 4) - 2));
  });

  it('ED2 frees its slot when the work fails', async () => {
    const gate = createHashGate({ maxConcurrent: 1, maxWaiting: 0 });
    await expect(gate.run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await gate.run(async () => 1)).toEqual({ ok: true, value: 1 });
  });
});
