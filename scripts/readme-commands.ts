/**
 * How the README generators (scripts/readme-glance.ts, scripts/readme-cycle.ts) run the commands
 * their figures come from — as a user runs them — and format the numbers.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');

const ran = new Map<string, unknown>();

/**
 * `node ARGS` in the project folder, its standard output parsed as JSON; run once per process (the
 * commands are deterministic, and several blocks quote one command), the parsed object shared.
 */
export function nodeJson<T>(args: string[]): T {
  const key = JSON.stringify(args);
  if (!ran.has(key)) ran.set(key, runJson(args));
  return ran.get(key) as T;
}

function runJson(args: string[]): unknown {
  const r = spawnSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`node ${args.join(' ')} exited ${r.status}: ${r.stderr.slice(-800)}`);
  return JSON.parse(r.stdout);
}

/** `spatten-dse ARGS --json`, parsed. */
export const cli = <T>(args: string[]): T => nodeJson<T>([path.join(ROOT, 'bin', 'spatten-dse.js'), ...args, '--json']);

/** `scripts/NAME --json`, parsed. */
export const script = <T>(name: string): T => nodeJson<T>(['--import', 'tsx', path.join(ROOT, 'scripts', name), '--json']);

export const f3 = (x: number) => x.toFixed(3);
export const r2 = (x: number) => x.toFixed(2);
