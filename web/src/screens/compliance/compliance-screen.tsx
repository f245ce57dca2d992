import { useCallback, useEffect, useState } from 'react';
import { useSupabase } from '../../../../src/client/use-call-subscription.js';
import type { AppError } from '../../../../src/core/errors.js';
import { getComplianceSettings, type ComplianceConfig } from '../../lib/compliance-api.js';
import { useWorkspace } from '../../lib/workspace-context.js';
import { CallingHoursTable } from './calling-hours-table.js';
import { ComplianceLog } from './compliance-log.js';
import { ComplianceRules } from './compliance-rules.js';
import { DoNotCallList } from './do-not-call-list.js';

const TABS = [
  { id: 'log', label: 'Log' },
  { id: 'dnc', label: 'Do-not-call list' },
  { id: 'hours', label: 'Calling hours' },
  { id: 'rules', label: 'Rules' },
] as const;
type Tab = (typeof TABS)[number]['id'];

/** The workspace's rules and table of calling hours, as the server holds them (any member reads; admins write). */
function useComplianceConfig(): { config: ComplianceConfig | null; error: AppError | null; reload(): void } {
  const supabase = useSupabase();
  const [config, setConfig] = useState<ComplianceConfig | null>(null);
  const [error, setError] = useState<AppError | null>(null);
  const [version, setVersion] = useState(0);
  useEffect(() => {
    let isCurrent = true;
    void getComplianceSettings(supabase).then((result) => {
      if (!isCurrent) return;
      if (result.ok) {
        setConfig(result.value);
        setError(null);
      } else setError(result.error);
    });
    return () => {
      isCurrent = false;
    };
  }, [supabase, version]);
  const reload = useCallback(() => setVersion((v) => v + 1), []);
  return { config, error, reload };
}

/**
 * Compliance (admins and managers): the log of every refused dial, abandon and do-not-call
 * change; the do-not-call list; calling hours per state; and the workspace's rules. Every rule
 * is kept and enforced by the server; this screen shows and changes them.
 */
export function ComplianceScreen() {
  const { role } = useWorkspace();
  const [tab, setTab] = useState<Tab>('log');
  const { config, error, reload } = useComplianceConfig();
  const isAdmin = role === 'admin';

  return (
    <section className="card" aria-labelledby="compliance-title">
      <header className="card__header">
        <h2 id="compliance-title">Compliance</h2>
      </header>
      <p className="muted">These rules help a team follow U.S. telemarketing law; they are not legal advice.</p>
      <div className="tabs" role="tablist" aria-label="Compliance">
        {TABS.map(({ id, label }) => (
          <button key={id} type="button" role="tab" aria-selected={tab === id} className={`tabs__tab ${tab === id ? 'is-active' : ''}`} onClick={() => setTab(id)}>
            {label}
          </button>
        ))}
      </div>
      {tab === 'log' && <ComplianceLog />}
      {tab === 'dnc' && <DoNotCallList canRemove={role === 'admin' || role === 'manager'} />}
      {(tab === 'hours' || tab === 'rules') && error && (
        <p className="form-error" role="alert" data-code={error.code}>
          Could not load the compliance settings: {error.message}
        </p>
      )}
      {(tab === 'hours' || tab === 'rules') && !config && !error && <p className="muted">Loading…</p>}
      {tab === 'hours' && config && <CallingHoursTable rules={config.rules} canEdit={isAdmin} onChanged={reload} />}
      {tab === 'rules' && config && <ComplianceRules settings={config.settings} canEdit={isAdmin} onSaved={reload} />}
    </section>
  );
}
