import type { SupabaseClient } from '@supabase/supabase-js';
import { describe, expect, it } from 'vitest';
import { fetchHistoryPage, historySearchFilter, type HistoryQuery } from './history-query.js';

/** A supabase-js stand-in that records the query built on `call_logs`, call by call. */
function recordingClient() {
  const calls: unknown[][] = [];
  const builder: Record<string, (...args: unknown[]) => unknown> = {};
  for (const method of ['select', 'eq', 'is', 'gte', 'lt', 'or', 'order']) {
    builder[method] = (...args: unknown[]) => {
      calls.push([method, ...args]);
      return builder;
    };
  }
  builder.range = (...args: unknown[]) => {
    calls.push(['range', ...args]);
    return Promise.resolve({ data: [], count: 0, error: null });
  };
  const client = { from: (table: string) => (calls.push(['from', table]), builder) } as unknown as SupabaseClient;
  return { client, calls };
}

const everything: HistoryQuery = { search: '', outcome: '', disposition: '', userEmail: '', endedFrom: '', endedBefore: '', page: 0, pageSize: 50 };

describe('historySearchFilter (LS1): the History search as a PostgREST or= tree', () => {
  it('matches the number called only when the query is a number', () => {
    expect(historySearchFilter('Company 28')).toBe('lead_name.ilike."*Company 28*"');
    expect(historySearchFilter('(415) 555-01')).toBe('lead_name.ilike."*(415) 555-01*",to_number.like."*41555501*"');
    expect(historySearchFilter('+49 30 1234')).toContain('to_number.like."*49301234*"');
    expect(historySearchFilter('zzz 1')).not.toContain('to_number');
  });

  it('is null for an empty query', () => {
    expect(historySearchFilter('  ')).toBeNull();
  });
});

describe('fetchHistoryPage (LS1): filters, search and the page go to the server with count=exact', () => {
  it('asks for the total and one page, newest first, with no filter when none is chosen', async () => {
    const { client, calls } = recordingClient();
    expect(await fetchHistoryPage(client, { ...everything, page: 2 })).toEqual({ ok: true, logs: [], total: 0 });
    expect(calls).toEqual([
      ['from', 'call_logs'],
      ['select', '*', { count: 'exact' }],
      ['order', 'ended_at', { ascending: false }],
      ['order', 'id', { ascending: false }],
      ['range', 100, 149],
    ]);
  });

  it('adds each chosen filter and the search', async () => {
    const { client, calls } = recordingClient();
    await fetchHistoryPage(client, {
      ...everything,
      search: 'Ada',
      outcome: 'completed',
      disposition: 'callback',
      userEmail: 'rep@example.com',
      endedFrom: '2026-01-01T00:00:00.000Z',
      endedBefore: '2026-01-02T00:00:00.000Z',
    });
    expect(calls.slice(2, -3)).toEqual([
      ['eq', 'user_email', 'rep@example.com'],
      ['eq', 'outcome', 'completed'],
      ['eq', 'disposition', 'callback'],
      ['gte', 'ended_at', '2026-01-01T00:00:00.000Z'],
      ['lt', 'ended_at', '2026-01-02T00:00:00.000Z'],
      ['or', 'lead_name.ilike."*Ada*"'],
    ]);
  });

  it('finds calls with no disposition yet', async () => {
    const { client, calls } = recordingClient();
    await fetchHistoryPage(client, { ...everything, disposition: 'none' });
    expect(calls).toContainEqual(['is', 'disposition', null]);
  });
});
