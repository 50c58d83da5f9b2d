/**
 * sim/schema.ts's SpAtten1/8 note quotes compare's ratios over A³ for three SRAM sizes to argue
 * that no reading of the unstated sizes meets both Table III's area and its 1.6× / 1.4×. The
 * quoted ratios are compare's own output, rounded to two decimals, for each size.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const BIN = path.join(ROOT, 'bin', 'spatten-dse.js');

function vsA3(kb: number): { speedup: number; energySaving: number } {
  const r = spawnSync(process.execPath, [BIN, 'compare', '--set', `hw.keySramKB=${kb}`, '--set', `hw.valueSramKB=${kb}`, '--json'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout).vsA3;
}

test("the SpAtten1/8 preset note's compare ratios are compare's output", () => {
  const note = readFileSync(path.join(ROOT, 'sim', 'schema.ts'), 'utf8').replace(/\n\s*\/\/\s*/g, ' ');
  const quoted: [number, RegExp][] = [
    [12, /hw\.valueSramKB=12`: ([\d.]+)× speedup, ([\d.]+)× energy saving/],
    [6, /6 KB: ([\d.]+)× \/ ([\d.]+)×/],
    [24.5, /24\.5 KB: ([\d.]+)× \/ ([\d.]+)×/],
  ];
  for (const [kb, re] of quoted) {
    const m = note.match(re);
    assert.ok(m, `sim/schema.ts quotes the ${kb} KB ratios`);
    const r = vsA3(kb);
    assert.equal(m[1], r.speedup.toFixed(2), `${kb} KB speedup`);
    assert.equal(m[2], r.energySaving.toFixed(2), `${kb} KB energy saving`);
  }
});
