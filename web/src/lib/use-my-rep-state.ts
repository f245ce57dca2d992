import { useEffect, useState } from 'react';
import { useSupabase } from '../../../src/client/use-call-subscription.js';
import { followTable } from './follow-table.js';
import type { RepStateRow } from './team-api.js';

/** The signed-in member's own state (rep_states), live with a polling fallback. */
export function useMyRepState(userEmail: string): [RepStateRow | null, (row: RepStateRow) => void] {
  const supabase = useSupabase();
  const [row, setRow] = useState<RepStateRow | null>(null);
  useEffect(() => {
    setRow(null);
    const offer = (next: RepStateRow) => setRow((current) => (current && current.updated_at > next.updated_at ? current : next));
    return followTable<RepStateRow>(supabase, {
      name: `my-state:${userEmail}`,
      table: 'rep_states',
      filter: `user_email=eq.${userEmail}`,
      async refetch() {
        const { data } = await supabase.from('rep_states').select('*').eq('user_email', userEmail).maybeSingle<RepStateRow>();
        if (data) offer(data);
      },
      onRow: offer,
      onMode: () => {},
    });
  }, [supabase, userEmail]);
  return [row, setRow];
}
