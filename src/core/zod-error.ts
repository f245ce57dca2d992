import type { z } from 'zod';

/** One readable sentence from a zod error: the first problem, with where it is. */
export function describeZodError(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'The request is not valid.';
  const where = issue.path.join('.');
  return where ? `${where}: ${issue.message}` : issue.message;
}
