import { availableParallelism } from 'node:os';

/**
 * scrypt runs on libuv's threadpool (4 threads unless UV_THREADPOOL_SIZE says otherwise), and
 * so does WebCrypto, which checks every request's JWT. Sixteen hashes at once fill the pool
 * and every JWT check queues behind them: other users' requests wait seconds although the
 * event loop is idle. So at most this many hashes run at once: two pool threads stay free for
 * JWT checks, and one core stays free for the event loop.
 */
const THREADPOOL_SIZE = Number(process.env.UV_THREADPOOL_SIZE) || 4;
export const MAX_CONCURRENT_HASHES = Math.max(1, Math.min(THREADPOOL_SIZE - 2, availableParallelism() - 1));
/** Hashes that may wait their turn (a few seconds of work); past that the request gets 429. */
export const MAX_WAITING_HASHES = 32;

export type GateResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false };

/** A semaphore for password hashing that refuses at once when its queue is full. */
export interface HashGate {
  run<T>(work: () => Promise<T>): Promise<GateResult<T>>;
}

export function createHashGate(limits: { maxConcurrent?: number; maxWaiting?: number } = {}): HashGate {
  const maxConcurrent = limits.maxConcurrent ?? MAX_CONCURRENT_HASHES;
  const maxWaiting = limits.maxWaiting ?? MAX_WAITING_HASHES;
  let running = 0;
  const waiting: Array<() => void> = [];

  const release = () => {
    const next = waiting.shift();
    if (next) next();
    else running -= 1;
  };

  return {
    async run(work) {
      if (running >= maxConcurrent) {
        if (waiting.length >= maxWaiting) return { ok: false };
        // The slot is handed over by release(): `running` stays as it is.
        await new Promise<void>((resolve) => waiting.push(resolve));
      } else running += 1;
      try {
        return { ok: true, value: await work() };
      } finally {
        release();
      }
    },
  };
}
