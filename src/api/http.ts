import { httpStatusOf, type AppError, type ErrorCode } from '../core/errors.js';

/** The one error shape at the edge (STYLE 11). */
export function errorResponse(code: ErrorCode, message: string, headers?: HeadersInit): Response {
  return Response.json({ code, message } satisfies AppError, { status: httpStatusOf(code), ...(headers ? { headers } : {}) });
}

export function appErrorResponse(error: AppError): Response {
  return errorResponse(error.code, error.message);
}

/** Reads a JSON body; undefined when it is missing or not JSON. */
export async function readJson(request: Request): Promise<unknown> {
  try {
    return (await request.json()) as unknown;
  } catch {
    return undefined;
  }
}
