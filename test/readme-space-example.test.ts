/**
 * The space file README.md shows under "Space files (YAML)" is one a user copies first: it must be
 * accepted as written. It was refused (exit 2) while it paired a continuous range
 * (`hw.dramChannelGBps: { range: [16, 64] }`) with the grid driver, which cannot enumerate one.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseSpace } from '../dse/space.ts';

const README = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

/** The first ```yaml block after the "## Space files (YAML)" heading. */
function spaceExample(): string {
  const m = /^## Space files \(YAML\)\n[\s\S]*?^```yaml\n([\s\S]*?)^```$/m.exec(README);
  assert.ok(m, 'no yaml block under "## Space files (YAML)" in README.md');
  return m[1];
}

test("README's space-file example parses as written, with the kinds of parameter its comments name", () => {
  const p = parseSpace(spaceExample(), 'README.md');
  assert.equal(p.space.name, 'my-sweep');
  const byKey = new Map(p.domains.map((d) => [d.key, d]));
  // a list, a stepped range (0.1 … 1.0 by 0.1: ten values) and a continuous range
  assert.deepEqual(byKey.get('hw.topkParallelism'), { key: 'hw.topkParallelism', kind: 'choice', values: [1, 2, 4, 8, 16, 32] });
  const keep = byKey.get('algo.tokenKeep');
  assert.equal(keep?.kind === 'choice' && keep.values.length, 10);
  const bw = byKey.get('hw.dramChannelGBps');
  assert.equal(bw?.kind, 'interval');
  assert.ok(bw?.kind === 'interval' && bw.low === 16 && bw.high === 64);
  assert.deepEqual(p.constraints.map((c) => c.text), ['area_mm2 <= 20']);
});
