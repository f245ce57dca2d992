import { readFileSync } from 'node:fs';

/** One parameter or field as Twilio's API description states it (see calls-spec.json). */
export interface FieldFacts {
  readonly type?: 'string' | 'integer' | 'boolean' | 'array' | 'object' | 'number';
  readonly format?: string;
  readonly enum?: readonly string[];
  /** Allowed values Twilio lists only in the parameter's description. */
  readonly documentedValues?: readonly string[];
  readonly pattern?: string;
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly items?: FieldFacts;
  readonly nullable?: boolean;
}

export interface OperationFacts {
  readonly operationId: string;
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly pathParams: Readonly<Record<string, FieldFacts>>;
  readonly params: Readonly<Record<string, FieldFacts>>;
  readonly required: readonly string[];
  readonly responseStatus: number;
}

export interface CallsSpec {
  readonly source: { readonly repository: string; readonly commit: string; readonly file: string };
  readonly auth: { readonly type: string; readonly scheme: string };
  readonly operations: { readonly createCall: OperationFacts; readonly fetchCall: OperationFacts; readonly updateCall: OperationFacts };
  readonly call: { readonly fields: Readonly<Record<string, FieldFacts>>; readonly enums: Readonly<Record<string, readonly string[]>> };
}

/** The Calls resource facts, carried into the project by scripts/extract-twilio-calls-spec.ts. */
export const CALLS_SPEC: CallsSpec = JSON.parse(readFileSync(new URL('./calls-spec.json', import.meta.url), 'utf8')) as CallsSpec;

export type FormValue = string | readonly string[];
export type Form = Readonly<Record<string, FormValue>>;

/** A request parameter Twilio would refuse, and why. */
export interface ParamProblem {
  readonly param: string;
  readonly message: string;
}

function isUri(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

/** Checks one value against its facts; undefined when Twilio would take it. */
export function checkValue(name: string, value: string, facts: FieldFacts): ParamProblem | undefined {
  const problem = (message: string) => ({ param: name, message });
  switch (facts.type) {
    case 'integer':
      if (!/^-?\d+$/.test(value)) return problem(`${name} must be an integer, not "${value}".`);
      break;
    case 'number':
      if (!Number.isFinite(Number(value))) return problem(`${name} must be a number, not "${value}".`);
      break;
    case 'boolean':
      if (!/^(true|false)$/i.test(value)) return problem(`${name} must be true or false, not "${value}".`);
      break;
    case 'string':
    case 'array':
    case 'object':
    case undefined:
      break;
    default: {
      const unreachable: never = facts.type;
      throw new Error(`unknown parameter type ${String(unreachable)}`);
    }
  }
  if (facts.format === 'uri' && !isUri(value)) return problem(`${name} is not a valid URL: "${value}".`);
  const allowed = facts.enum ?? facts.documentedValues;
  if (allowed && !allowed.some((option) => option.toLowerCase() === value.toLowerCase())) {
    return problem(`${name} must be one of ${allowed.join(', ')}, not "${value}".`);
  }
  if (facts.pattern && !new RegExp(facts.pattern).test(value)) return problem(`${name} is malformed: "${value}".`);
  if (facts.minLength !== undefined && value.length < facts.minLength) return problem(`${name} is too short.`);
  if (facts.maxLength !== undefined && value.length > facts.maxLength) return problem(`${name} is too long.`);
  return undefined;
}

/**
 * Checks a form against an operation's parameters: each known parameter's type, format and
 * allowed values. Parameters the description does not name are ignored, as Twilio ignores them.
 */
export function checkForm(operation: OperationFacts, form: Form): { problem: ParamProblem | undefined; unknown: string[] } {
  const unknown: string[] = [];
  for (const [name, raw] of Object.entries(form)) {
    const facts = operation.params[name];
    if (!facts) {
      unknown.push(name);
      continue;
    }
    const values = typeof raw === 'string' ? [raw] : raw;
    if (facts.type === 'array') {
      // Twilio takes a list as repeated parameters, and some lists also space-separated.
      const items = values.flatMap((value) => value.split(' ')).filter((item) => item !== '');
      for (const item of items) {
        const problem = checkValue(name, item, { ...(facts.items ?? {}), ...(facts.documentedValues ? { documentedValues: facts.documentedValues } : {}) });
        if (problem) return { problem, unknown };
      }
      continue;
    }
    if (values.length > 1) return { problem: { param: name, message: `${name} was given more than once.` }, unknown };
    const problem = checkValue(name, values[0] ?? '', facts);
    if (problem) return { problem, unknown };
  }
  return { problem: undefined, unknown };
}

/** The call resource with exactly the response fields Twilio's description lists. */
export function shapeCallResource(values: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const fields = Object.keys(CALLS_SPEC.call.fields);
  for (const key of Object.keys(values)) {
    if (!fields.includes(key)) throw new Error(`the simulator made a call field Twilio does not have: ${key}`);
  }
  return Object.fromEntries(fields.map((field) => [field, values[field] ?? null]));
}
