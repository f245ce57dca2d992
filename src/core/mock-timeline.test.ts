import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canTransition, isTerminal, type CallStatus } from './call-status.js';
import { MOCK_OUTCOMES, mockConfigSchema, mockStepStatus, planMockTimeline } from './mock-timeline.js';


const configArbitrary = fc
  .record({
    dialSeconds: fc.double({ min: 0, max: 5, noNaN: true }),
    ring: fc.tuple(fc.double({ min: 0, max: 30, noNaN: true }), fc.double({ min: 0, max: 30, noNaN: true })),
    talk: fc.tuple(fc.double({ min: 0, max: 300, noNaN: true }), fc.double({ min: 0, max: 300, noNaN: true })),
    weights: fc.dictionary(fc.constantFrom(...MOCK_OUTCOMES), fc.integer({ min: 0, max: 100 })),
  })
  .map(({ dialSeconds, ring, talk, weights }) =>
    mockConfigSchema.parse({
      dialSeconds,
      ringSeconds: [Math.min(...ring), Math.max(...ring)],
      talkSeconds: [Math.min(...talk), Math.max(...talk)],
      outcomeWeights: weights,
    }),
  );

describe('mock timeline', () => {
  it('is a legal walk of the status machine, in time order, ending in its outcome (seeded property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 31 - 1 }), configArbitrary, fc.boolean(), fc.boolean(), (seed, config, amd, isSessionCall) => {
        const start = 1_700_000_000_000;
        const plan = planMockTimeline(seed, config, start, amd, isSessionCall);
        let previous: CallStatus = 'dialing';
        let previousAt = start;
        for (const step of plan.steps) {
          // A verdict is a fact on the live call: only a session's machine gets one, while answered.
          if (step.kind === 'verdict') expect([isSessionCall, previous]).toEqual([true, 'in-progress']);
          else expect(canTransition(previous, mockStepStatus(step))).toBe(true);
          expect(step.at).toBeGreaterThanOrEqual(previousAt);
          previous = mockStepStatus(step);
          previousAt = step.at;
        }
        expect(isTerminal(previous)).toBe(true);
        if (!amd) expect(previous).not.toBe('voicemail_detected');
      }),
      { seed: 20261124, numRuns: 300 },
    );
  });

  it('the same seed and config give the same timeline; another seed may not', () => {
    const config = mockConfigSchema.parse({});
    expect(planMockTimeline(7, config, 0, true)).toEqual(planMockTimeline(7, config, 0, true));
    const distinct = new Set(Array.from({ length: 20 }, (_, seed) => JSON.stringify(planMockTimeline(seed, config, 0, true))));
    expect(distinct.size).toBeGreaterThan(10);
  });

  it('follows the outcome weights', () => {
    const config = mockConfigSchema.parse({ outcomeWeights: { busy: 3, completed: 1 } });
    const counts = new Map<string, number>();
    for (let seed = 0; seed < 4000; seed++) {
      const { outcome } = planMockTimeline(seed, config, 0, true);
      counts.set(outcome, (counts.get(outcome) ?? 0) + 1);
    }
    expect([...counts.keys()].sort()).toEqual(['busy', 'completed']);
    expect((counts.get('busy') ?? 0) / 4000).toBeGreaterThan(0.7);
    expect((counts.get('busy') ?? 0) / 4000).toBeLessThan(0.8);
  });

  it('honours ring and talk durations', () => {
    const config = mockConfigSchema.parse({ dialSeconds: 1, ringSeconds: [4, 4], talkSeconds: [10, 10], outcomeWeights: { completed: 1 } });
    const plan = planMockTimeline(1, config, 0, false);
    expect(plan.steps.map((s) => [s.kind, s.at])).toEqual([
      ['ringing', 1000],
      ['answered', 5000],
      ['ended', 15000],
    ]);
  });
});
