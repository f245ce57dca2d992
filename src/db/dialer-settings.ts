import type { DialerSettings } from '../core/rows.js';
import type { Queryable } from './database.js';

export type DialerSettingsRow = DialerSettings<Date> & {
  /** Demo mode only: seconds the dial gate adds to now for this user's simulated calls (0018); null: none. */
  demo_clock_offset_seconds: number | null;
};

type EditableSetting =
  | 'use_mock_dialer'
  | 'mock_config'
  | 'caller_id'
  | 'forward_to_number'
  | 'default_amd'
  | 'default_recording'
  | 'voicemail_action'
  | 'demo_clock_offset_seconds';
export type DialerSettingsPatch = { [Key in EditableSetting]?: DialerSettingsRow[Key] | undefined };

/** The user's settings, created on first use. A new user starts in demo mode when `startInDemoMode`. */
export async function loadDialerSettings(db: Queryable, userEmail: string, startInDemoMode: boolean): Promise<DialerSettingsRow> {
  await db.sql`insert into dialer_settings (user_email, use_mock_dialer) values (${userEmail}, ${startInDemoMode})
    on conflict (user_email) do nothing`;
  const [row] = await db.sql<DialerSettingsRow>`select * from dialer_settings where user_email = ${userEmail}`;
  if (!row) throw new Error(`settings for ${userEmail} vanished`);
  return row;
}

export async function updateDialerSettings(db: Queryable, userEmail: string, patch: DialerSettingsPatch): Promise<DialerSettingsRow> {
  const [row] = await db.sql<DialerSettingsRow>`
    update dialer_settings set
      use_mock_dialer = coalesce(${patch.use_mock_dialer ?? null}::boolean, use_mock_dialer),
      mock_config = coalesce(${patch.mock_config === undefined ? null : JSON.stringify(patch.mock_config)}::text::jsonb, mock_config),
      caller_id = case when ${patch.caller_id !== undefined}::boolean then ${patch.caller_id ?? null}::text else caller_id end,
      forward_to_number = case when ${patch.forward_to_number !== undefined}::boolean then ${patch.forward_to_number ?? null}::text else forward_to_number end,
      default_amd = coalesce(${patch.default_amd ?? null}::boolean, default_amd),
      default_recording = coalesce(${patch.default_recording ?? null}::boolean, default_recording),
      voicemail_action = coalesce(${patch.voicemail_action ?? null}::text, voicemail_action),
      demo_clock_offset_seconds = case when ${patch.demo_clock_offset_seconds !== undefined}::boolean
        then ${patch.demo_clock_offset_seconds ?? null}::integer else demo_clock_offset_seconds end,
      updated_at = now()
    where user_email = ${userEmail}
    returning *`;
  if (!row) throw new Error(`settings for ${userEmail} not found`);
  return row;
}
