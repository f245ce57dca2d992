// Extracts the facts the local Twilio simulator needs about the Calls resource from Twilio's
// published OpenAPI description (twilio/twilio-oai, twilio_api_v2010.json) into a compact JSON
// file: parameter names, types, formats, enums, required fields and the response's fields.
// No description text is copied; where Twilio lists a parameter's allowed values only in its
// description ("Can be: `Enable` or `DetectMessageEnd`"), the values alone are kept.
//
//   npx tsx scripts/extract-twilio-calls-spec.ts <twilio_api_v2010.json> [output.json]
//
// The source commit is read from the README.md that ships beside the description.
import { readFile, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';

type Json = Record<string, unknown>;

const [inputArg, outputArg] = process.argv.slice(2);
if (!inputArg) {
  process.stderr.write('usage: npx tsx scripts/extract-twilio-calls-spec.ts <twilio_api_v2010.json> [output.json]\n');
  process.exit(2);
}
const input = resolve(inputArg);
const output = resolve(outputArg ?? new URL('../test/twilio-sim/calls-spec.json', import.meta.url).pathname);

const CALLS = '/2010-04-01/Accounts/{AccountSid}/Calls.json';
const CALL = '/2010-04-01/Accounts/{AccountSid}/Calls/{Sid}.json';

const document = JSON.parse(await readFile(input, 'utf8')) as Json;
const readme = await readFile(join(dirname(input), 'README.md'), 'utf8').catch(() => '');
const commit = /commit\s+([0-9a-f]{40})/i.exec(readme)?.[1] ?? null;
const repository = /\b(twilio\/twilio-oai)\b/.exec(readme)?.[1] ?? 'twilio/twilio-oai';

const asObject = (value: unknown): Json => (value && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : {});
const schemas = asObject(asObject(document['components'])['schemas']);
const paths = asObject(document['paths']);

function resolveRef(schema: Json): Json {
  const ref = schema['$ref'];
  if (typeof ref !== 'string') return schema;
  const name = ref.replace('#/components/schemas/', '');
  return asObject(schemas[name]);
}

/** The backticked values of the first "Can be ..." sentence of a description, if any. */
function documentedValues(description: unknown): string[] | undefined {
  if (typeof description !== 'string') return undefined;
  const sentence = /Can be:?\s([^.]*)/.exec(description)?.[1];
  if (!sentence) return undefined;
  const values = [...new Set([...sentence.matchAll(/`([^`]+)`/g)].map((match) => match[1] ?? ''))].filter((value) => value !== '');
  return values.length > 0 ? values : undefined;
}

const FACT_KEYS = ['type', 'format', 'enum', 'pattern', 'minLength', 'maxLength', 'minimum', 'maximum', 'nullable'] as const;

/** The facts of one parameter or field schema, without prose. Allowed values hidden in a
 * parameter's description are kept only for request parameters (`isParameter`). */
function factsOf(raw: Json, isParameter = false): Json {
  const schema = resolveRef(raw);
  const facts: Json = {};
  for (const key of FACT_KEYS) if (schema[key] !== undefined) facts[key] = schema[key];
  if (schema['type'] === 'array') facts['items'] = factsOf(asObject(schema['items']));
  if (isParameter && facts['enum'] === undefined && (schema['type'] === 'string' || schema['type'] === 'array')) {
    const values = documentedValues(raw['description'] ?? schema['description']);
    if (values) facts['documentedValues'] = values;
  }
  return facts;
}

function operation(path: string, method: 'get' | 'post') {
  const op = asObject(asObject(paths[path])[method]);
  const pathParams = Object.fromEntries(
    (Array.isArray(op['parameters']) ? op['parameters'] : [])
      .map(asObject)
      .filter((p) => p['in'] === 'path')
      .map((p) => [String(p['name']), factsOf(asObject(p['schema']))]),
  );
  const form = asObject(asObject(asObject(asObject(op['requestBody'])['content'])['application/x-www-form-urlencoded'])['schema']);
  const properties = asObject(form['properties']);
  const params = Object.fromEntries(Object.entries(properties).map(([name, schema]) => [name, factsOf(asObject(schema), true)]));
  const responseStatus = Number(Object.keys(asObject(op['responses']))[0]);
  return {
    operationId: op['operationId'],
    method: method.toUpperCase(),
    path,
    pathParams,
    params,
    required: Array.isArray(form['required']) ? form['required'] : [],
    responseStatus,
  };
}

const callSchema = asObject(schemas['api.v2010.account.call']);
const fields = Object.fromEntries(Object.entries(asObject(callSchema['properties'])).map(([name, schema]) => [name, factsOf(asObject(schema))]));
const enums = Object.fromEntries(
  Object.entries(schemas)
    .filter(([name]) => name.startsWith('call_enum_'))
    .map(([name, schema]) => [name, asObject(schema)['enum']]),
);
const security = asObject(asObject(asObject(document['components'])['securitySchemes'])['accountSid_authToken']);

const spec = {
  source: { repository, commit, file: 'twilio_api_v2010.json', licence: 'MIT', openapi: document['openapi'], version: asObject(document['info'])['version'] },
  auth: { type: security['type'], scheme: security['scheme'] },
  operations: {
    createCall: operation(CALLS, 'post'),
    fetchCall: operation(CALL, 'get'),
    updateCall: operation(CALL, 'post'),
  },
  call: { fields, enums },
};

await writeFile(output, `${JSON.stringify(spec, null, 1)}\n`);
process.stdout.write(`wrote ${output}: ${Object.keys(spec.operations.createCall.params).length} create parameters, ${Object.keys(fields).length} response fields, source commit ${commit ?? 'unknown'}\n`);
