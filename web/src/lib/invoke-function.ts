import { FunctionsFetchError, FunctionsHttpError, type SupabaseClient } from '@supabase/supabase-js';
import { isErrorCode, type AppError } from '../../../src/core/errors.js';

export type FunctionResult<T> = { ok: true; value: T } | { ok: false; error: AppError };

const UNREACHABLE: AppError = {
  code: 'internal_error',
  message: 'Cannot reach the server. Check your connection and try again.',
};

/**
 * Calls a server function and turns every failure into `{ code, message }`: the server's own
 * error when it sent one, or a plain sentence when the request never got an answer.
 */
export async function invokeFunction<T>(supabase: SupabaseClient, name: string, body: Record<string, unknown>): Promise<FunctionResult<T>> {
  const { data, error } = await supabase.functions.invoke<T>(name, { body });
  if (!error) return { ok: true, value: data as T };
  if (error instanceof FunctionsHttpError) {
    const sent: unknown = await (error.context as Response).json().catch(() => undefined);
    if (typeof sent === 'object' && sent !== null) {
      const { code, message } = sent as Record<string, unknown>;
      if (isErrorCode(code) && typeof message === 'string') return { ok: false, error: { code, message } };
    }
    return { ok: false, error: { code: 'internal_error', message: 'The server could not complete the request. Try again in a moment.' } };
  }
  if (error instanceof FunctionsFetchError) return { ok: false, error: UNREACHABLE };
  return { ok: false, error: { code: 'internal_error', message: error instanceof Error ? error.message : UNREACHABLE.message } };
}
