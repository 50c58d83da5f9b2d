/**
 * One measurement in a fresh Node + tsx process, so that nothing an earlier measurement left in
 * the process (JIT state, heap size, memo tables) changes it: `script` (an ES module's text) runs
 * with `env` added, and its last stdout line is parsed as JSON.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');

export function freshChild<T>(what: string, script: string, env: Record<string, string> = {}): T {
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    encoding: 'utf8',
    maxBuffer: 64 * 2 ** 20,
  });
  if (r.error) throw new Error(`${what}: child process failed: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`${what}: child process failed (${r.status === null ? `signal ${r.signal}` : `exit ${r.status}`}): ${r.stderr}`);
  const last = r.stdout.trim().split('\n').pop() ?? '';
  try {
    return JSON.parse(last) as T;
  } catch {
    throw new Error(`${what}: child process printed no JSON result: ${JSON.stringify(last.slice(0, 200))}`);
  }
}
