import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { Database, Row } from '../db/database.js';
import { createPresence, type Presence } from './presence.js';

/** A database that records each statement, answers the heartbeat, and fails while `isFailing`. */
function fakeDatabase() {
  const statements: string[] = [];
  const state = { isFailing: false };
  const sql = (strings: TemplateStringsArray, ...values: readonly unknown[]): Promise<Row[]> => {
    const text = strings.join('?').replace(/\s+/g, ' ').trim();
    if (state.isFailing) return Promise.reject(new Error('database away'));
    statements.push(`${text.split(' ').slice(0, 3).join(' ')} ${values.filter((v) => typeof v === 'string' && v.includes('@')).join(',')}`.trim());
    return Promise.resolve(text.startsWith('update realtime_instances') ? [{ instance_id: 'me' }] : []);
  };
  const db = { sql } as unknown as Database;
  return { db, statements, state };
}

const writesOf = (statements: readonly string[]) => statements.filter((s) => /^(insert into realtime_presence|delete from realtime_presence|select dialer_sync_rep_state)/.test(s));

describe('presence', () => {
  let presence: Presence | undefined;
  afterEach(async () => {
    await presence?.stop();
  });

  it("a member's channels joining and leaving while a write is under way end in one row, written once", async () => {
    const { db, statements } = fakeDatabase();
    presence = createPresence({ db, logger: pino({ level: 'silent' }), instanceId: 'me' });
    await presence.start();
    presence.setOnline('rep@example.com', true);
    presence.setOnline('rep@example.com', false);
    presence.setOnline('rep@example.com', true);
    await presence.heartbeat();
    expect(writesOf(statements)).toEqual(['insert into realtime_presence rep@example.com', 'select dialer_sync_rep_state(?) rep@example.com']);
  });

  it('a write that fails never throws to the caller, and is made on the next heartbeat', async () => {
    const { db, statements, state } = fakeDatabase();
    presence = createPresence({ db, logger: pino({ level: 'silent' }), instanceId: 'me' });
    await presence.start();
    state.isFailing = true;
    expect(() => presence?.setOnline('rep@example.com', true)).not.toThrow();
    await presence.heartbeat();
    expect(writesOf(statements)).toEqual([]);
    state.isFailing = false;
    await presence.heartbeat();
    expect(writesOf(statements)).toEqual(['insert into realtime_presence rep@example.com', 'select dialer_sync_rep_state(?) rep@example.com']);
  });
});
