import type { SupabaseClient } from '@supabase/supabase-js';
import { isErrorCode } from '../../../src/core/errors.js';
import { readPublicConfig } from './create-app-client.js';
import { invokeFunction, type FunctionResult } from './invoke-function.js';

/** The columns of a lead an import maps a file's headers to (startLeadImport's `mapping`). */
export const IMPORT_FIELDS = ['name', 'firstName', 'lastName', 'phone', 'mobile', 'extension', 'company', 'email', 'notes', 'timeZone', 'region'] as const;
export type ImportField = (typeof IMPORT_FIELDS)[number];
export type ImportMapping = Partial<Record<ImportField, string>>;

export const IMPORT_FIELD_LABEL: Readonly<Record<ImportField, string>> = {
  name: 'Name',
  firstName: 'First name',
  lastName: 'Last name',
  phone: 'Phone',
  mobile: 'Mobile (if no phone)',
  extension: 'Extension',
  company: 'Company',
  email: 'Email',
  notes: 'Notes',
  timeZone: 'Time zone (e.g. America/Chicago, CST)',
  region: 'US state (e.g. TX, Texas)',
};

/** What `POST /imports/leads` answers: the file read, nothing imported yet. */
export interface UploadedImport {
  readonly importId: string;
  readonly fileName: string;
  readonly dialect: { readonly delimiter: string; readonly hasBom: boolean; readonly sepLine: boolean; readonly encoding?: string };
  readonly headers: readonly string[];
  readonly suggestedMapping: ImportMapping;
  readonly sampleRows: readonly (readonly string[])[];
  readonly rowCount: number;
  readonly defaultCountry: string;
}

export type ImportStatus = 'uploaded' | 'queued' | 'running' | 'done' | 'failed';

export interface LeadImport {
  readonly id: string;
  readonly status: ImportStatus;
  readonly totalRows: number;
  readonly processedRows: number;
  readonly inserted: number;
  readonly updated: number;
  readonly skippedDuplicates: number;
  readonly refused: number;
  readonly failure: string | null;
}

export interface ImportProgress {
  readonly import: LeadImport;
  readonly errors: readonly { readonly rowNumber: number; readonly message: string }[];
  readonly errorCount: number;
}

export const DUPLICATE_ACTIONS = ['skip', 'update'] as const;
export type DuplicateAction = (typeof DUPLICATE_ACTIONS)[number];

/**
 * Posts a file as the raw body of an import route (`/imports/leads`, `/imports/do-not-call`),
 * signed in as the current user; the server's answer, or its error code and message.
 */
export async function uploadImportFile<T>(supabase: SupabaseClient, route: string, file: File): Promise<FunctionResult<T>> {
  const { url, anonKey } = readPublicConfig();
  const { data } = await supabase.auth.getSession();
  const token = data.session?.access_token;
  if (!token) return { ok: false, error: { code: 'unauthorized', message: 'Sign in again to import.' } };
  let response: Response;
  try {
    response = await fetch(`${url.replace(/\/+$/, '')}${route}?name=${encodeURIComponent(file.name)}`, {
      method: 'POST',
      headers: { apikey: anonKey, authorization: `Bearer ${token}`, 'content-type': file.type || 'text/csv' },
      body: file,
    });
  } catch {
    return { ok: false, error: { code: 'internal_error', message: 'Cannot reach the server. Check your connection and try again.' } };
  }
  const sent: unknown = await response.json().catch(() => undefined);
  if (response.ok) return { ok: true, value: sent as T };
  if (typeof sent === 'object' && sent !== null) {
    const { code, message } = sent as Record<string, unknown>;
    if (isErrorCode(code) && typeof message === 'string') return { ok: false, error: { code, message } };
  }
  return { ok: false, error: { code: 'internal_error', message: `The server answered ${response.status} to the upload.` } };
}

/** Uploads the file as it is: the server reads it (dialect, headers, suggested mapping) and keeps it for the import. */
export const uploadLeadFile = (supabase: SupabaseClient, file: File) => uploadImportFile<UploadedImport>(supabase, '/imports/leads', file);

export const startLeadImport = (
  supabase: SupabaseClient,
  request: { importId: string; mapping: ImportMapping; defaultCountry: string; duplicates: DuplicateAction; listId: string | null },
) => invokeFunction<{ import: LeadImport }>(supabase, 'startLeadImport', { ...request });

export const getLeadImport = (supabase: SupabaseClient, importId: string) => invokeFunction<ImportProgress>(supabase, 'getLeadImport', { importId });
