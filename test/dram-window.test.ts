/**
 * The DRAM request window (sim/cycle/dram.ts): the chunk-level model against the window applied to
 * every burst (scripts/dram-window.ts `BurstChannel`), and the hand figures of the in-order reading.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { longChunkSpacing } from '../sim/cycle/dram.ts';
import { hbmTiming } from '../sim/cycle/hbm-timing.ts';
import { NAMED, regionCost } from '../scripts/dram-window.ts';

const costOf = (name: string) => {
  const s = NAMED.find((x) => x.name === name)!;
  return regionCost(s.L, s.n, s.B, s.channels, hbmTiming({ clockGHz: 1, dramChannelGBps: s.gbps }, { queueDepth: s.queueDepth, mapping: s.mapping, refresh: false }))!;
};

test('one channel, dense 8192 × 64 B: 1,024 row chunks a region at 26.5 (window 16) and 53/3 (window 32) cycles each, in order; the count reading reaches the bus at 32', () => {
  // 1 GHz, 32 GB/s: tBurst 2, tRP + tRCD + tCL = 21; chunks of 16 bursts alternate the two PCs. In
  // order, a chunk waits for the end of the chunk w + 1 back (w = window / 16): (21 + 15 × 2 + 2) / 2
  // = 26.5 and / 3 = 17.67 cycles a chunk. Counting outstanding bursts instead, 32 hide the row
  // switches: 16 bursts × 2 cycles / 2 PCs = 16 a chunk.
  const w16 = costOf('dense 8192 × 64 B, 1 channel');
  const w32 = costOf('dense 8192 × 64 B, 1 channel, window 32');
  for (const [c, want] of [[w16, 1024 * 26.5], [w32, (1024 * 53) / 3]] as const) {
    assert.ok(Math.abs(c.model / want - 1) < 1e-9, `model ${c.model} vs ${want}`);
    assert.ok(Math.abs(c['in-order'] / want - 1) < 1e-9, `burst level ${c['in-order']} vs ${want}`);
  }
  assert.equal(w32.count, 1024 * 16);
});

test('the chunk model equals the window applied burst by burst (in order) where chunks fit the window', () => {
  for (const s of NAMED.filter((x) => x.queueDepth >= 16)) {
    const c = costOf(s.name);
    assert.ok(Math.abs(c.model / c['in-order'] - 1) < 1e-9, `${s.name}: ${c.model} vs ${c['in-order']}`);
    // in order is the stricter reading: never cheaper than counting outstanding bursts
    assert.ok(c['in-order'] >= c.count - 1e-9, `${s.name}: in order ${c['in-order']} < count ${c.count}`);
  }
});

test('a dense stream is not cheaper than the same stream keeping 95% of its tokens (it was, before)', () => {
  const dense = costOf('dense 993 × 96 B');
  const most = costOf('95% of 993 × 96 B');
  for (const k of ['model', 'in-order', 'count'] as const) assert.ok(dense[k] >= most[k], `${k}: dense ${dense[k]} < 95% ${most[k]}`);
  // the rule before: a chunk of exactly 16 bursts let the next one in while its own were in flight
  assert.ok(dense.before < most.before, `before: ${dense.before} vs ${most.before}`);
});

test('a chunk longer than the window goes in groups of the window, each tBurst + tCL after the one before', () => {
  // 16 bursts, window 8, bus 0.25 a burst, return 0.25 + 7: bursts 0–7 at 0, 0.25, …, 1.75; 8–15 from 7.25
  // on: burst 15 at 7.25 + 1.75 = 9 → mean spacing 9 / 15
  assert.equal(longChunkSpacing(16, 8, 0.25, 7.25), 9 / 15);
  assert.equal(longChunkSpacing(16, 8, 1, 7.25), 1); // 8 bursts of bus cover the return
  assert.equal(longChunkSpacing(17, 8, 0.25, 7.25), (2 * 7.25) / 16);
});

test('the sampling scripts read their options strictly: an unknown option or a bad count is exit 2 with the usage', () => {
  for (const [script, args] of [['scripts/dram-window.ts', ['--bogus']], ['scripts/profile-regions.ts', ['--count', '0']]] as const) {
    const r = spawnSync(process.execPath, ['--import', 'tsx', script, ...args], { cwd: path.join(import.meta.dirname, '..'), encoding: 'utf8' });
    assert.equal(r.status, 2, `${script} ${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, new RegExp(`usage: node --import tsx ${script}`));
    assert.equal(r.stdout, '');
  }
});
