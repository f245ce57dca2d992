import { useId } from 'react';
import { STATUS_DISPLAY } from '../../../src/core/call-status.js';
import { DEFAULT_OUTCOME_WEIGHTS, MOCK_OUTCOMES, mockConfigSchema, type MockConfig, type MockOutcome } from '../../../src/core/mock-timeline.js';

/** The demo-mode settings as typed (strings), so a half-typed number is not lost. */
export interface MockDraft {
  dialSeconds: string;
  ringMin: string;
  ringMax: string;
  talkMin: string;
  talkMax: string;
  amdSeconds: string;
  seed: string;
  weights: Record<MockOutcome, string>;
}

export function toMockDraft(saved: Record<string, unknown>): MockDraft {
  const parsed = mockConfigSchema.safeParse(saved);
  const config: MockConfig = parsed.success ? parsed.data : mockConfigSchema.parse({});
  const hasWeights = Object.keys(config.outcomeWeights).length > 0;
  const weight = (o: MockOutcome) => String(hasWeights ? (config.outcomeWeights[o] ?? 0) : DEFAULT_OUTCOME_WEIGHTS[o]);
  return {
    dialSeconds: String(config.dialSeconds),
    ringMin: String(config.ringSeconds[0]),
    ringMax: String(config.ringSeconds[1]),
    talkMin: String(config.talkSeconds[0]),
    talkMax: String(config.talkSeconds[1]),
    amdSeconds: String(config.amdSeconds),
    seed: config.seed === undefined ? '' : String(config.seed),
    weights: Object.fromEntries(MOCK_OUTCOMES.map((o) => [o, weight(o)])) as Record<MockOutcome, string>,
  };
}

/** The draft as a mock config, checked by the same schema the server uses. */
export function readMockDraft(draft: MockDraft): { ok: true; config: MockConfig } | { ok: false; message: string } {
  const number = (text: string) => (text.trim() === '' ? Number.NaN : Number(text));
  const parsed = mockConfigSchema.safeParse({
    dialSeconds: number(draft.dialSeconds),
    ringSeconds: [number(draft.ringMin), number(draft.ringMax)],
    talkSeconds: [number(draft.talkMin), number(draft.talkMax)],
    amdSeconds: number(draft.amdSeconds),
    outcomeWeights: Object.fromEntries(MOCK_OUTCOMES.map((o) => [o, number(draft.weights[o])])),
    ...(draft.seed.trim() === '' ? {} : { seed: number(draft.seed) }),
  });
  if (parsed.success) return { ok: true, config: parsed.data };
  const issue = parsed.error.issues[0];
  return { ok: false, message: `Demo-mode settings: ${issue ? `${issue.path.join(' ')} ${issue.message}` : 'not valid'}.` };
}

function NumberInput({ label, value, onChange, step = '0.1' }: { label: string; value: string; onChange(value: string): void; step?: string }) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input id={id} type="number" min="0" step={step} inputMode="decimal" value={value} onChange={(e) => onChange(e.target.value)} />
    </div>
  );
}

/** Timings and outcome weights of simulated calls. */
export function DemoSettingsFields({ draft, onChange }: { draft: MockDraft; onChange(draft: MockDraft): void }) {
  const set = (key: Exclude<keyof MockDraft, 'weights'>) => (value: string) => onChange({ ...draft, [key]: value });
  return (
    <>
      <fieldset className="fieldset">
        <legend>Simulated call timings (seconds)</legend>
        <div className="field-row">
          <NumberInput label="Dialing" value={draft.dialSeconds} onChange={set('dialSeconds')} />
          <NumberInput label="Ringing, shortest" value={draft.ringMin} onChange={set('ringMin')} />
          <NumberInput label="Ringing, longest" value={draft.ringMax} onChange={set('ringMax')} />
          <NumberInput label="Talk, shortest" value={draft.talkMin} onChange={set('talkMin')} />
          <NumberInput label="Talk, longest" value={draft.talkMax} onChange={set('talkMax')} />
          <NumberInput label="Machine detection" value={draft.amdSeconds} onChange={set('amdSeconds')} />
        </div>
      </fieldset>
      <fieldset className="fieldset">
        <legend>Simulated outcomes (relative weights)</legend>
        <div className="field-row">
          {MOCK_OUTCOMES.map((outcome) => (
            <NumberInput
              key={outcome}
              label={STATUS_DISPLAY[outcome].label}
              step="1"
              value={draft.weights[outcome]}
              onChange={(value) => onChange({ ...draft, weights: { ...draft.weights, [outcome]: value } })}
            />
          ))}
          <NumberInput label="Seed (optional)" step="1" value={draft.seed} onChange={set('seed')} />
        </div>
        <small className="muted">An outcome with weight 0 never happens. Voicemail needs machine detection (AMD) on. A seed makes every call play the same way.</small>
      </fieldset>
    </>
  );
}
