import { createContext, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { useSupabase } from '../../../src/client/use-call-subscription.js';
import type { AppError } from '../../../src/core/errors.js';
import { getWorkspace, type Role, type WorkspaceInfo } from './team-api.js';

export interface WorkspaceState {
  readonly info: WorkspaceInfo | null;
  /** The caller's role; null until known (screens for managers stay hidden until then). */
  readonly role: Role | null;
  readonly loadError: AppError | null;
}

const WorkspaceContext = createContext<WorkspaceState | null>(null);

/** Asks the server once who the signed-in member is (workspace and role) and shares the answer. */
export function WorkspaceProvider({ children }: { children: ReactNode }) {
  const supabase = useSupabase();
  const [info, setInfo] = useState<WorkspaceInfo | null>(null);
  const [loadError, setLoadError] = useState<AppError | null>(null);
  useEffect(() => {
    let isCurrent = true;
    void getWorkspace(supabase).then((result) => {
      if (!isCurrent) return;
      if (result.ok) setInfo(result.value);
      else setLoadError(result.error);
    });
    return () => {
      isCurrent = false;
    };
  }, [supabase]);
  const value = useMemo<WorkspaceState>(() => ({ info, role: info?.member.role ?? null, loadError }), [info, loadError]);
  return <WorkspaceContext.Provider value={value}>{children}</WorkspaceContext.Provider>;
}

export function useWorkspace(): WorkspaceState {
  const state = useContext(WorkspaceContext);
  if (!state) throw new Error('useWorkspace needs a <WorkspaceProvider> above it');
  return state;
}
