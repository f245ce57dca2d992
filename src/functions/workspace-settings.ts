import { z } from 'zod';
import { appErrorResponse } from '../api/http.js';
import { isCountryCode } from '../core/phone-number.js';
import { updateWorkspaceSettings } from '../db/workspace-settings.js';
import { requireAdmin } from './caller.js';
import { parseBody, type FunctionHandler } from './context.js';
import { toWorkspaceView } from './workspace-views.js';

const setWorkspaceSettingsSchema = z
  .object({
    name: z.string().trim().min(1, 'name is required').max(200, 'name is at most 200 characters'),
    // ISO 3166-1 alpha-2 ("DE", "us"), one the phone-number library knows.
    defaultCountry: z
      .string()
      .trim()
      .toUpperCase()
      .refine((code) => /^[A-Z]{2}$/.test(code) && isCountryCode(code), 'defaultCountry is a two-letter country code, such as US, GB or DE'),
  })
  .partial()
  .strict();

/**
 * `setWorkspaceSettings {name?, defaultCountry?}` (admins) -> `{workspace}`: the workspace's name
 * and the country numbers without `+` are read in (imports may choose another per file). Audited.
 */
export const setWorkspaceSettings: FunctionHandler = async (request, caller, { db }) => {
  const input = await parseBody(request, setWorkspaceSettingsSchema);
  if (!input.ok) return appErrorResponse(input.error);
  const admin = requireAdmin(caller);
  if (!admin.ok) return appErrorResponse(admin.error);
  const { name, defaultCountry } = input.value;
  const workspace = await updateWorkspaceSettings(db, {
    workspaceId: admin.value.workspaceId,
    actorEmail: admin.value.email,
    settings: { ...(name === undefined ? {} : { name }), ...(defaultCountry === undefined ? {} : { defaultCountry }) },
  });
  return Response.json({ workspace: toWorkspaceView(workspace) });
};
