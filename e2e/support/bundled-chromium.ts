import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';

const PACKAGE = '@sparticuz/chromium';

export interface BundledChromium {
  readonly executablePath: string;
  /** `@sparticuz/chromium@<version>`, for the run's output. */
  readonly source: string;
  /** The environment the browser needs: the libraries and fonts that came with it. */
  readonly env: Record<string, string>;
}

/**
 * The Chromium shipped inside the `@sparticuz/chromium` dev dependency (a headless shell for
 * Linux x64), unpacked once into `node_modules/.cache/`. Nothing is downloaded: the binary, its
 * NSS/expat libraries and a font are in the package's own tarball.
 */
export async function unpackBundledChromium(): Promise<BundledChromium> {
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new Error(
      `The Chromium in ${PACKAGE} runs on Linux x64 only, and this is ${process.platform} ${process.arch}. ` +
        'Point CHROMIUM_PATH at a Chromium binary, then run `npm run test:e2e` again.',
    );
  }
  const entry = createRequire(import.meta.url).resolve(PACKAGE);
  const packageDir = dirname(dirname(entry));
  const { version } = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as { version: string };
  const cacheRoot = join(dirname(dirname(packageDir)), '.cache');
  const dir = join(cacheRoot, `sparticuz-chromium-${version}`);
  if (!existsSync(join(dir, 'chromium'))) await unpackInto(dir, cacheRoot, entry, join(packageDir, 'bin'));
  return {
    executablePath: join(dir, 'chromium'),
    source: `${PACKAGE}@${version}`,
    env: {
      LD_LIBRARY_PATH: [join(dir, 'al2023', 'lib'), process.env.LD_LIBRARY_PATH].filter(Boolean).join(':'),
      FONTCONFIG_FILE: join(dir, 'fonts.conf'),
    },
  };
}

/**
 * The package unpacks into the OS temporary directory under fixed names and reuses whatever it
 * finds there, so a run stopped half-way, or another version's files, would break every later
 * run. It unpacks here into a fresh directory of its own (a child process with TMPDIR pointed
 * at it), which is renamed into place only when complete; two runs racing both finish.
 */
async function unpackInto(dir: string, cacheRoot: string, entry: string, binDir: string): Promise<void> {
  await mkdir(cacheRoot, { recursive: true });
  const partial = await mkdtemp(`${dir}.partial-`);
  try {
    const script = [
      'const [entry, al2023] = process.argv.slice(1);',
      'const { default: chromium, inflate } = await import(entry);',
      'await chromium.executablePath();',
      // The browser links NSS and expat; the package ships them (for Amazon Linux), so a machine
      // without them needs nothing installed.
      'await inflate(al2023);',
    ].join('\n');
    await promisify(execFile)(
      process.execPath,
      ['--input-type=module', '-e', script, pathToFileURL(entry).href, join(binDir, 'al2023.tar.br')],
      { env: { ...process.env, TMPDIR: partial } },
    );
    // The package's own fonts.conf names a fixed directory; this one names ours, after the
    // machine's fonts if it has any (they cover symbols the bundled Open Sans lacks).
    await writeFile(
      join(partial, 'fonts.conf'),
      [
        '<?xml version="1.0"?>',
        '<!DOCTYPE fontconfig SYSTEM "fonts.dtd">',
        '<fontconfig>',
        '  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>',
        `  <dir>${escapeXml(join(dir, 'fonts', 'fonts'))}</dir>`,
        `  <cachedir>${escapeXml(join(dir, 'fonts-cache'))}</cachedir>`,
        '</fontconfig>',
        '',
      ].join('\n'),
    );
    await rename(partial, dir);
  } catch (error) {
    await rm(partial, { recursive: true, force: true });
    if (existsSync(join(dir, 'chromium'))) return; // another run finished first
    throw error;
  }
}

function escapeXml(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}
