import { useEffect, useState } from 'react';
import { useSupabase } from '../../../src/client/use-call-subscription.js';

/** The emails of the workspace's members, for a rep filter (managers and admins see them all). */
export function useMemberEmails(workspaceId: string | null): readonly string[] {
  const supabase = useSupabase();
  const [emails, setEmails] = useState<readonly string[]>([]);
  useEffect(() => {
    if (!workspaceId) return undefined;
    let isCurrent = true;
    void supabase
      .from('workspace_members')
      .select('user_email')
      .eq('workspace_id', workspaceId)
      .order('user_email')
      .then(({ data }) => {
        if (isCurrent && data) setEmails((data as { user_email: string }[]).map((row) => row.user_email));
      });
    return () => {
      isCurrent = false;
    };
  }, [supabase, workspaceId]);
  return emails;
}
