/**
 * `--reuse` takes another folder's evaluation only when its numbers are this run's: the space's
 * baseline platform sets speedup and energy_saving, so it keys the evaluation. Without it in the
 * key, a xeon space reusing a titan-xp folder wrote titan-xp's speedups (54.28 for xeon's 85.45 at
 * 2 channels), and a space with a baseline reusing one without left them empty.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runPlatform } from '../sim/baselines/platforms.ts';

const ROOT = path.join(import.meta.dirname, '..');
const BIN = path.join(ROOT, 'bin', 'spatten-dse.js');

function run(dir: string, name: string, baseline: string | undefined, reuse?: string): { out: string; rows: Record<string, string>[] } {
  const space = path.join(dir, `${name}.yaml`);
  fs.writeFileSync(space, `name: ${name}
workload: { model: gpt2-small, stage: generation, seqLen: 128, genTokens: 2 }
objectives: [{ metric: latency_s, goal: min }, { metric: area_mm2, goal: min }]
parameters: { hw.dramChannels: [2, 4] }
search: { driver: grid }
${baseline ? `baseline: ${baseline}\n` : ''}`);
  const r = spawnSync(process.execPath, [BIN, 'run', space, '--out', path.join(dir, name), '--progress', 'none', '--no-report', ...(reuse ? ['--reuse', path.join(dir, reuse)] : [])], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const [header, ...lines] = fs.readFileSync(path.join(dir, name, 'points.csv'), 'utf8').trim().split('\n').map((l) => l.split(','));
  return { out: r.stdout + r.stderr, rows: lines.map((l) => Object.fromEntries(header.map((h, i) => [h, l[i]]))) };
}

test('--reuse: an evaluation of another baseline platform (or none) is not reused; one of the same platform, or of none, is', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sdse-baseline-reuse-'));
  try {
    const wl = { model: 'gpt2-small', stage: 'generation', seqLen: 128, genTokens: 2 } as const;
    const titan = run(dir, 'titan', 'titan-xp');
    const none = run(dir, 'none', undefined);
    for (const [name, from] of [['xeon', 'titan'], ['titan2', 'none']] as const) {
      const platform = name === 'xeon' ? 'xeon' : 'titan-xp';
      const r = run(dir, name, platform, from);
      assert.match(r.out, /reuse: none of the 2 evaluations of the --reuse folders matched a point of this run: .*baseline platform/, r.out);
      // each row's speedup is this platform's: its latency over the point's
      const base = runPlatform(platform, wl, 'attention');
      for (const p of r.rows) {
        const want = base.latency_s / Number(p.latency_s);
        assert.ok(Math.abs(Number(p.speedup) - want) <= 2e-5 * want, `${name} #${p.id}: speedup ${p.speedup}, ${platform} gives ${want}`);
      }
    }
    // the same platform, and no platform, are reused as before
    assert.match(run(dir, 'titan3', 'titan-xp', 'titan').out, /reuse: 2 evaluations reused from the --reuse folders, 0 new/);
    const none2 = run(dir, 'none2', undefined, 'none');
    assert.match(none2.out, /reuse: 2 evaluations reused from the --reuse folders, 0 new/);
    assert.deepEqual(none2.rows, none.rows);
    assert.equal(titan.rows.length, 2);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
