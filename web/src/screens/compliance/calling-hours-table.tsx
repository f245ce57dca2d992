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

const SHORT_DAY: Readonly<Record<RuleDay, string>> = { mon: 'Mon', tue: 'Tue', wed: 'Wed', thu: 'Thu', fri: 'Fri', sat: 'Sat', sun: 'Sun', holiday: 'Holidays' };

/**
 * The workspace's calling hours per state and day, each with its source: a row replaces the
 * workspace's window for that state that day (it only narrows it); no window means no calls.
 * One line per state, a cell per day ("—": the workspace's window). Admins add, change and
 * delete rules; managers read them.
 */
export function CallingHoursTable({ rules, canEdit, onChanged }: { rules: readonly CallingHourRule[]; canEdit: boolean; onChanged(): void }) {
  const supabase = useSupabase();
  const [editing, setEditing] = useState<CallingHourRule | null>(null);
  const [error, setError] = useState<string | null>(null);
  const byRegion = useMemo(() => {
    const grouped = new Map<string, Map<RuleDay, CallingHourRule>>();
    for (const rule of rules) {
      const days = grouped.get(rule.region) ?? new Map<RuleDay, CallingHourRule>();
      days.set(rule.day, rule);
      grouped.set(rule.region, days);
    }
    return [...grouped].sort(([a], [b]) => a.localeCompare(b));
  }, [rules]);

  async function remove(rule: CallingHourRule) {
    if (!window.confirm(`Delete the ${RULE_DAY_LABEL[rule.day]} rule of ${rule.region}? That day then follows the workspace’s window there.`)) return;
    const result = await deleteCallingHourRule(supabase, { region: rule.region, day: rule.day });
    setError(result.ok ? null : result.error.message);
    setEditing(null);
    onChanged();
  }

  return (
    <section aria-label="Calling hours by state">
      <p className="muted">
        A state’s rule replaces the workspace’s window there on that day, and only ever narrows it; “—” is the workspace’s window. Federal holidays take
        precedence over the weekday’s rule.{canEdit ? ' Choose a cell to change or delete its rule.' : ''}
      </p>
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      {byRegion.length === 0 ? (
        <p className="empty">No state rules: every state follows the workspace’s window.</p>
      ) : (
        <div className="table-scroll">
          <table className="table hours-table" aria-label="Calling hours">
            <thead>
              <tr>
                <th scope="col">State</th>
                {RULE_DAYS.map((day) => (
                  <th key={day} scope="col">
                    {SHORT_DAY[day]}
                  </th>
                ))}
                <th scope="col">Source</th>
              </tr>
            </thead>
            <tbody>
              {byRegion.map(([region, days]) => (
                <tr key={region} data-testid="calling-hours-state" data-region={region}>
                  <th scope="row">{region}</th>
                  {RULE_DAYS.map((day) => {
                    const rule = days.get(day);
                    if (!rule) return <td key={day} className="muted">—</td>;
                    const text = describeWindow(rule);
                    return (
                      <td key={day} data-testid="calling-hour-rule" data-region={region} data-day={day} className={rule.windowStart ? '' : 'hours-table__closed'}>
                        {canEdit ? (
                          <button type="button" className="link-button" onClick={() => setEditing(rule)} aria-label={`Edit ${region} ${RULE_DAY_LABEL[day]}: ${text}`}>
                            {text}
                          </button>
                        ) : (
                          text
                        )}
                      </td>
                    );
                  })}
                  <td className="notes-cell hours-table__source">
                    {[...new Set([...days.values()].map((rule) => rule.source))].map((source) => (
                      <span key={source} className="block">
                        {source}
                      </span>
                    ))}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {canEdit && editing && (
        <div className="hours-edit" data-testid="calling-hour-edit">
          <h4 className="section-title">
            {editing.region}, {RULE_DAY_LABEL[editing.day]}
          </h4>
          <p className="muted">{editing.updatedBy ? `Changed by ${editing.updatedBy}, ${formatDateTime(editing.updatedAt)}.` : 'As in the defaults.'}</p>
          <RuleForm
            key={`${editing.region}:${editing.day}`}
            rule={editing}
            onSaved={() => {
              setEditing(null);
              onChanged();
            }}
            onCancel={() => setEditing(null)}
          />
          <button type="button" className="button button--danger button--small" onClick={() => void remove(editing)}>
            Delete this rule
          </button>
        </div>
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
