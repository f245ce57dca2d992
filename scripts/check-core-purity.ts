// src/core is the pure domain (STYLE 1): no I/O, nothing from node:*, nothing from other areas.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

const CORE = new URL('../src/core/', import.meta.url).pathname;
const ALLOWED_PACKAGES = new Set(['zod', 'libphonenumber-js', 'libphonenumber-js/max', 'papaparse']);
const problems: string[] = [];

/** A file of src/core, or of its one folder of data tables (compliance-data/). */
const isCoreFile = (target: string) => /^\.\/[^/]+$/.test(target) || /^\.\/compliance-data\/[^/]+$/.test(target);
const isDataFile = (target: string) => /^\.\/[^/]+$/.test(target) || /^\.\.\/[^/]+$/.test(target);

for (const [folder, isLocal] of [['', isCoreFile], ['compliance-data/', isDataFile]] as const) {
  for (const name of await readdir(join(CORE, folder))) {
    if (!name.endsWith('.ts') || name.endsWith('.test.ts')) continue;
    const source = await readFile(join(CORE, folder, name), 'utf8');
    for (const [, target] of source.matchAll(/\bfrom\s+'([^']+)'/g)) {
      if (!target) continue;
      if (!isLocal(target) && !ALLOWED_PACKAGES.has(target)) problems.push(`${folder}${name} imports ${target}`);
    }
    if (/\b(process|fetch|setTimeout|Date\.now|Math\.random)\b/.test(source)) problems.push(`${folder}${name} reaches for the outside world (process, fetch, timers, clock or randomness)`);
  }
}

if (problems.length > 0) {
  process.stderr.write(`src/core must stay pure:\n${problems.map((p) => `  - ${p}`).join('\n')}\n`);
  process.exit(1);
}
process.stdout.write('src/core is pure.\n');
