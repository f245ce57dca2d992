import { useId, useMemo, useState } from 'react';
import { useSupabase } from '../../../../src/client/use-call-subscription.js';
import { formatDateTime } from '../../lib/format.js';
import {
  deleteCallingHourRule,
  isRuleDay,
  RULE_DAY_LABEL,
  RULE_DAYS,
  setCallingHourRule,
  shortTime,
  type CallingHourRule,
  type RuleDay,
} from '../../lib/compliance-api.js';

interface RuleDraft {
  region: string;
  day: RuleDay;
  hasWindow: boolean;
  start: string;
  end: string;
  source: string;
}

const draftOf = (rule: CallingHourRule | null): RuleDraft => ({
  region: rule?.region ?? '',
  day: rule?.day ?? 'sun',
  hasWindow: rule ? rule.windowStart !== null : true,
  start: shortTime(rule?.windowStart) || '09:00',
  end: shortTime(rule?.windowEnd) || '20:00',
  source: rule?.source ?? '',
});

const describeWindow = (rule: CallingHourRule) => (rule.windowStart && rule.windowEnd ? `${shortTime(rule.windowStart)}–${shortTime(rule.windowEnd)}` : 'No calls');

/** Adds a row or changes one (`setCallingHourRule`); the server checks the window and the source. */
function RuleForm({ rule, onSaved, onCancel }: { rule: CallingHourRule | null; onSaved(): void; onCancel?: () => void }) {
  const supabase = useSupabase();
  const [draft, setDraft] = useState(() => draftOf(rule));
  const [error, setError] = useState<string | null>(null);
  const [isSaving, setSaving] = useState(false);
  const ids = { region: useId(), day: useId(), hasWindow: useId(), start: useId(), end: useId(), source: useId() };
  const patch = (change: Partial<RuleDraft>) => setDraft((before) => ({ ...before, ...change }));

  async function save() {
    const region = draft.region.trim().toUpperCase();
    if (!/^[A-Z]{2}$/.test(region)) return setError('A state is its two-letter code, such as TX.');
    if (draft.hasWindow && !(draft.start < draft.end)) return setError('The window starts before it ends.');
    if (draft.source.trim() === '') return setError('Say where the rule comes from (a statute, a regulation).');
    setSaving(true);
    setError(null);
    const result = await setCallingHourRule(supabase, {
      region,
      day: draft.day,
      windowStart: draft.hasWindow ? draft.start : null,
      windowEnd: draft.hasWindow ? draft.end : null,
      source: draft.source.trim(),
    });
    setSaving(false);
    if (!result.ok) return setError(result.error.message);
    if (!rule) setDraft(draftOf(null));
    onSaved();
  }

  return (
    <form
      className="rule-form"
      aria-label={rule ? `Calling hours of ${rule.region} on ${RULE_DAY_LABEL[rule.day]}` : 'Add a calling-hours rule'}
      onSubmit={(event) => {
        event.preventDefault();
        void save();
      }}
    >
      <div className="field-row">
        <div className="field">
          <label htmlFor={ids.region}>State</label>
          <input id={ids.region} value={draft.region} onChange={(e) => patch({ region: e.target.value })} maxLength={2} placeholder="TX" disabled={rule !== null} required />
        </div>
        <div className="field">
          <label htmlFor={ids.day}>Day</label>
          <select id={ids.day} value={draft.day} onChange={(e) => isRuleDay(e.target.value) && patch({ day: e.target.value })} disabled={rule !== null}>
            {RULE_DAYS.map((day) => (
              <option key={day} value={day}>
                {RULE_DAY_LABEL[day]}
              </option>
            ))}
          </select>
        </div>
        <div className="field field--inline">
          <input id={ids.hasWindow} type="checkbox" checked={!draft.hasWindow} onChange={(e) => patch({ hasWindow: !e.target.checked })} />
          <label htmlFor={ids.hasWindow}>No calls that day</label>
        </div>
        {draft.hasWindow && (
          <>
            <div className="field">
              <label htmlFor={ids.start}>From</label>
              <input id={ids.start} type="time" value={draft.start} onChange={(e) => patch({ start: e.target.value })} required />
            </div>
            <div className="field">
              <label htmlFor={ids.end}>Until</label>
              <input id={ids.end} type="time" value={draft.end} onChange={(e) => patch({ end: e.target.value })} required />
            </div>
          </>
        )}
      </div>
      <div className="field">
        <label htmlFor={ids.source}>Source</label>
        <input id={ids.source} value={draft.source} onChange={(e) => patch({ source: e.target.value })} maxLength={500} placeholder="e.g. Tex. Bus. & Com. Code 304.252" required />
      </div>
      <div className="toolbar">
        <button type="submit" className="button button--primary button--small" disabled={isSaving}>
          {rule ? 'Save rule' : 'Add rule'}
        </button>
        {onCancel && (
          <button type="button" className="button button--ghost button--small" onClick={onCancel}>
            Cancel
          </button>
        )}
      </div>
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}

/**
 * The workspace's calling hours per state and day, each with its source: a row replaces the
 * workspace's window for that state that day (it only narrows it); no window means no calls.
 * Admins add, change and delete rows; managers read them.
 */
export function CallingHoursTable({ rules, canEdit, onChanged }: { rules: readonly CallingHourRule[]; canEdit: boolean; onChanged(): void }) {
  const supabase = useSupabase();
  const [region, setRegion] = useState('');
  const [editing, setEditing] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const regionId = useId();
  const regions = useMemo(() => [...new Set(rules.map((rule) => rule.region))].sort(), [rules]);
  const shown = useMemo(
    () =>
      rules
        .filter((rule) => region === '' || rule.region === region)
        .toSorted((a, b) => a.region.localeCompare(b.region) || RULE_DAYS.indexOf(a.day) - RULE_DAYS.indexOf(b.day)),
    [rules, region],
  );

  async function remove(rule: CallingHourRule) {
    if (!window.confirm(`Delete the ${RULE_DAY_LABEL[rule.day]} rule of ${rule.region}? That day then follows the workspace’s window there.`)) return;
    const result = await deleteCallingHourRule(supabase, { region: rule.region, day: rule.day });
    setError(result.ok ? null : result.error.message);
    onChanged();
  }

  return (
    <section aria-label="Calling hours by state">
      <p className="muted">
        A state’s row replaces the workspace’s window there on that day, and only ever narrows it. Federal holidays take precedence over the weekday’s row.
      </p>
      <div className="filters">
        <div className="field">
          <label htmlFor={regionId}>State</label>
          <select id={regionId} value={region} onChange={(e) => setRegion(e.target.value)}>
            <option value="">All states ({rules.length} rules)</option>
            {regions.map((code) => (
              <option key={code} value={code}>
                {code}
              </option>
            ))}
          </select>
        </div>
      </div>
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      {shown.length === 0 ? (
        <p className="empty">No state rules: every state follows the workspace’s window.</p>
      ) : (
        <table className="table table--cards" aria-label="Calling hours">
          <thead>
            <tr>
              <th scope="col">State</th>
              <th scope="col">Day</th>
              <th scope="col">Calls</th>
              <th scope="col">Source</th>
              <th scope="col">Changed</th>
              {canEdit && <th scope="col">Actions</th>}
            </tr>
          </thead>
          <tbody>
            {shown.map((rule) => {
              const key = `${rule.region}:${rule.day}`;
              return editing === key ? (
                <tr key={key} className="table__detail">
                  <td colSpan={canEdit ? 6 : 5}>
                    <RuleForm
                      rule={rule}
                      onSaved={() => {
                        setEditing(null);
                        onChanged();
                      }}
                      onCancel={() => setEditing(null)}
                    />
                  </td>
                </tr>
              ) : (
                <tr key={key} data-testid="calling-hour-rule" data-region={rule.region} data-day={rule.day}>
                  <td data-label="State">{rule.region}</td>
                  <td data-label="Day">{RULE_DAY_LABEL[rule.day]}</td>
                  <td data-label="Calls">{describeWindow(rule)}</td>
                  <td data-label="Source" className="notes-cell">
                    {rule.source}
                  </td>
                  <td data-label="Changed">{rule.updatedBy ? `${rule.updatedBy}, ${formatDateTime(rule.updatedAt)}` : 'Default'}</td>
                  {canEdit && (
                    <td data-label="Actions">
                      <span className="toolbar">
                        <button type="button" className="button button--ghost button--small" onClick={() => setEditing(key)} aria-label={`Edit ${rule.region} ${RULE_DAY_LABEL[rule.day]}`}>
                          Edit
                        </button>
                        <button type="button" className="button button--ghost button--small" onClick={() => void remove(rule)} aria-label={`Delete ${rule.region} ${RULE_DAY_LABEL[rule.day]}`}>
                          Delete
                        </button>
                      </span>
                    </td>
                  )}
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      {canEdit && (
        <>
          <h4 className="section-title">Add a rule</h4>
          <RuleForm rule={null} onSaved={onChanged} />
        </>
      )}
    </section>
  );
}
