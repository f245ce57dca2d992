/**
 * `npm run bench`: every benchmark in turn, each as its own process with settings sized so the
 * whole set takes about ten minutes, then each one's verdict lines again in one place.
 * Settings already in the environment win over these defaults (BENCH_SECONDS=20 npm run bench).
 *
 *   npm run bench                  # all of them
 *   npm run bench -- twilio calls  # some of them, by name
 */
import { spawn } from 'node:child_process';
import { loadavg } from 'node:os';

interface Bench {
  readonly name: string;
  readonly script: string;
  readonly env: Record<string, string>;
}

const BENCHES: readonly Bench[] = [
  { name: 'realtime', script: 'bench/realtime-latency.ts', env: { BENCH_SECONDS: '10', BENCH_MAX_SECONDS: '5' } },
  { name: 'twilio', script: 'bench/twilio-callbacks.ts', env: { BENCH_SECONDS: '10' } },
  { name: 'calls', script: 'bench/mock-calls.ts', env: {} },
  { name: 'slow-consumer', script: 'bench/slow-consumer.ts', env: { BENCH_SECONDS: '10' } },
  { name: 'auth', script: 'bench/auth-flood.ts', env: {} },
  { name: 'sessions', script: 'bench/power-dial-sessions.ts', env: {} },
];

/** Runs one bench, passing its output through; resolves with its output and exit code. */
function run(bench: Bench): Promise<{ output: string; code: number | null }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', bench.script], { env: { ...bench.env, ...process.env }, stdio: ['ignore', 'pipe', 'inherit'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      process.stdout.write(chunk);
    });
    child.once('exit', (code) => resolve({ output, code }));
  });
}

/** A bench's verdict: its last `== ` section (every bench ends with one), or its last lines. */
function verdictOf(output: string): string {
  const lines = output.trimEnd().split('\n');
  const last = lines.map((text) => text.startsWith('== ')).lastIndexOf(true);
  return (last >= 0 ? lines.slice(last) : lines.slice(-3)).join('\n');
}

async function main() {
  const wanted = process.argv.slice(2);
  const chosen = wanted.length > 0 ? BENCHES.filter((bench) => wanted.includes(bench.name)) : BENCHES;
  if (chosen.length === 0) throw new Error(`unknown bench: ${wanted.join(', ')} (known: ${BENCHES.map((b) => b.name).join(', ')})`);
  const verdicts: string[] = [];
  let failed = 0;
  for (const bench of chosen) {
    process.stdout.write(`\n######## ${bench.name} (${bench.script}); load average ${loadavg()[0]?.toFixed(2)}\n`);
    const { output, code } = await run(bench);
    if (code !== 0) failed++;
    verdicts.push(`[${bench.name}]${code === 0 ? '' : ` exited with ${code}`}\n${verdictOf(output)}`);
  }
  process.stdout.write(`\n######## summary\n${verdicts.join('\n\n')}\n`);
  process.exitCode = failed > 0 ? 1 : 0;
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
