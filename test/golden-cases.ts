/**
 * Golden outputs: the commands whose numbers pin the models' behaviour, run as a user runs them
 * (`node bin/spatten-dse.js …`), and the comparison used by test/golden.test.ts.
 *
 * Regenerate (only when a change is MEANT to move the numbers, in a commit that says why):
 *   npx tsx test/golden-cases.ts --update
 *
 * Comparison: every key/column of the fixture must still be there with an equal value — numbers
 * within 1e-9 relative (or within half a unit of the last digit the output prints, if a later
 * change prints fewer digits), strings and booleans exactly. New keys and columns are allowed.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';

export const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
export const FIXTURES = path.join(ROOT, 'test', 'fixtures', 'golden');
const TRACES = 'sim/workload/traces';

export interface GoldenCase {
  name: string;
  /** CLI arguments; for `run` cases the output folder is appended. */
  argv: string[];
  kind: 'json' | 'run';
}

const trace = (f: string) => `${TRACES}/${f}`;
const TRACE_FILES = ['small.csv', 'summary-gpt2-small-wikitext2-per8.csv', 'summary-gpt2-small-wikitext2-per8-step1+dedic.csv'];

export const GOLDEN_CASES: GoldenCase[] = [
  ...['analytical', 'summarization', 'cycle', 'both'].map((s) => ({
    name: `run-${s}`,
    argv: ['run', `test/fixtures/golden/spaces/${s}.yaml`, '--progress', 'none', '--no-report'],
    kind: 'run' as const,
  })),
  ...TRACE_FILES.flatMap((f) =>
    ['analytical', 'cycle'].map((m) => ({
      name: `simulate-${f.replace(/\.csv$/, '').replace(/[^a-z0-9]+/gi, '-')}-${m}`,
      argv: ['simulate', '--trace', trace(f), '--fidelity', m, '--json'],
      kind: 'json' as const,
    })),
  ),
  { name: 'simulate-gpt2-medium-generation', argv: ['simulate', '-w', 'gpt2-medium', '--json'], kind: 'json' },
  { name: 'simulate-bert-base-1-8', argv: ['simulate', '-w', 'bert-base', '--seq-len', '128', '--preset', 'spatten-1/8', '--json'], kind: 'json' },
  { name: 'reproduce-all-cycle', argv: ['reproduce', 'all', '--json'], kind: 'json' },
  { name: 'reproduce-all-analytical', argv: ['reproduce', 'all', '--fidelity', 'analytical', '--json'], kind: 'json' },
  { name: 'compare-analytical', argv: ['compare', '--json'], kind: 'json' },
  { name: 'compare-cycle', argv: ['compare', '--fidelity', 'cycle', '--json'], kind: 'json' },
];

function runCli(argv: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'bin', 'spatten-dse.js'), ...argv], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`spatten-dse ${argv.join(' ')} exited ${code}: ${err.slice(0, 2000)}`))));
  });
}

/** Runs one case and returns its comparable value (parsed JSON, or points.csv rows keyed by id). */
export async function runCase(c: GoldenCase): Promise<unknown> {
  if (c.kind === 'json') return JSON.parse(await runCli(c.argv));
  const dir = mkdtempSync(path.join(os.tmpdir(), 'spatten-golden-'));
  try {
    await runCli([...c.argv, '--out', path.join(dir, 'out')]);
    const rows = parse(readFileSync(path.join(dir, 'out', 'points.csv'), 'utf8'), { columns: true }) as Record<string, string>[];
    return rows;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Numbers equal to 1e-9 relative, or to the precision the new output prints. */
function numbersMatch(expected: number, actual: number, actualText?: string): boolean {
  if (expected === actual) return true;
  const scale = Math.max(Math.abs(expected), Math.abs(actual));
  if (Math.abs(expected - actual) <= 1e-9 * scale) return true;
  if (actualText !== undefined) {
    const m = /^-?\d*\.?(\d*)(?:e([+-]?\d+))?$/i.exec(actualText.trim());
    if (m) {
      const digits = (m[1] ?? '').length;
      const exp = m[2] ? Number(m[2]) : 0;
      const halfUnit = 0.5 * 10 ** (exp - digits);
      return Math.abs(expected - actual) <= halfUnit * (1 + 1e-9);
    }
  }
  return false;
}

/** Differences between a fixture and a new value (empty = equal); paths name each mismatch. */
export function compareGolden(expected: unknown, actual: unknown, at = '$', out: string[] = []): string[] {
  if (out.length > 20) return out;
  if (typeof expected === 'number' || (typeof expected === 'string' && typeof actual === 'string' && isNumeric(expected) && isNumeric(actual))) {
    const e = Number(expected);
    const a = Number(actual);
    if (!(typeof actual === 'number' || typeof actual === 'string') || !numbersMatch(e, a, typeof actual === 'string' ? actual : undefined)) {
      out.push(`${at}: expected ${String(expected)}, got ${String(actual)}`);
    }
    return out;
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual) || actual.length !== expected.length) {
      out.push(`${at}: expected an array of ${expected.length}, got ${Array.isArray(actual) ? `an array of ${actual.length}` : typeof actual}`);
      return out;
    }
    expected.forEach((e, i) => compareGolden(e, actual[i], `${at}[${i}]`, out));
    return out;
  }
  if (expected !== null && typeof expected === 'object') {
    if (actual === null || typeof actual !== 'object') {
      out.push(`${at}: expected an object, got ${String(actual)}`);
      return out;
    }
    for (const [k, v] of Object.entries(expected)) {
      if (!(k in (actual as object))) out.push(`${at}.${k}: missing`);
      else compareGolden(v, (actual as Record<string, unknown>)[k], `${at}.${k}`, out);
    }
    return out;
  }
  if (expected !== actual) out.push(`${at}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
  return out;
}

function isNumeric(s: string): boolean {
  return s.trim() !== '' && Number.isFinite(Number(s));
}

export function fixturePath(c: GoldenCase): string {
  return path.join(FIXTURES, `${c.name}.json`);
}

export function readFixture(c: GoldenCase): unknown {
  return JSON.parse(readFileSync(fixturePath(c), 'utf8'));
}

/** Runs cases two at a time (the machines have 2 cores). */
export async function runAll(cases: GoldenCase[]): Promise<Map<string, unknown>> {
  const results = new Map<string, unknown>();
  const queue = cases.slice();
  const lane = async () => {
    for (let c = queue.shift(); c; c = queue.shift()) results.set(c.name, await runCase(c));
  };
  await Promise.all([lane(), lane()]);
  return results;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url) && process.argv.includes('--update')) {
  mkdirSync(FIXTURES, { recursive: true });
  const results = await runAll(GOLDEN_CASES);
  for (const c of GOLDEN_CASES) writeFileSync(fixturePath(c), JSON.stringify(results.get(c.name), null, 1) + '\n');
  console.log(`wrote ${GOLDEN_CASES.length} fixtures to ${path.relative(ROOT, FIXTURES)}`);
}
