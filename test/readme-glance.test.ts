/**
 * The README's "At a glance" block is generated (`npm run readme`, scripts/readme-glance.ts) from
 * the commands it names; its hardware rows — Fig. 19a, Fig. 20 and Table III (`compare`, with its
 * speedups and energy savings over A³ and MNNFast and its energy per operation, which the prose
 * beside it quoted by hand) — must be what those commands print now. Each builder runs its
 * commands as a user does (about 10 s in all); the accuracy rows are not rerun here.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { compareRow, fig19Row, fig20Row, perAreaBlock } from '../scripts/readme-glance.ts';
import { generatedBlock } from '../bench/readme-block.ts';

const README = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const block = generatedBlock(README, 'glance') ?? [];

for (const [name, row] of [['Fig. 19a', fig19Row], ['Fig. 20', fig20Row], ['Table III', compareRow]] as const) {
  test(`README "At a glance": the ${name} row is what its commands print now (npm run readme regenerates it)`, () => {
    const want = row();
    assert.ok(block.includes(want), `README has\n${block.find((l) => l.startsWith(want.slice(0, 20)))}\nthe commands give\n${want}`);
  });
}

test('the Table III row carries the ratios over A³ and MNNFast and the paper\'s 1.6× / 1.4× / 3.0× / 3.2× (spec §5.6)', () => {
  const row = block.find((l) => l.startsWith('| Table III'))!;
  assert.match(row, /over A³ [\d.]+ \/ [\d.]+× speedup, [\d.]+ \/ [\d.]+× energy saving; over MNNFast /);
  assert.match(row, /\| withheld; 1\.6× speedup, 1\.4× energy saving over A³; 3\.0×, 3\.2× over MNNFast; 1\.55 mm²/);
});

test('README "Metrics": the speedup-per-area paragraph is what its two simulate runs print now (npm run readme regenerates it)', () => {
  assert.deepEqual(generatedBlock(README, 'per-area'), perAreaBlock());
});
