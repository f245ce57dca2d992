import { httpStatusOf, type AppError, type ErrorCode } from '../core/errors.js';

/** The one error shape at the edge (STYLE 11). */
export function errorResponse(code: ErrorCode, message: string, headers?: HeadersInit): Response {
  return Response.json({ code, message } satisfies AppError, { status: httpStatusOf(code), ...(headers ? { headers } : {}) });
}

export function appErrorResponse(error: AppError): Response {
  return errorResponse(error.code, error.message);
}
