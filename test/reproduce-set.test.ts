/**
 * `reproduce <figure> --set hw.X=V` applies the override to every configuration a figure
 * evaluates and says so, for every figure of FIGURES (dse/reproduce/index.ts): the figures against
 * the CPU/GPU baselines (headline, Fig. 14, 15, 18, Fig. 20 from the GPU, Table IV) used to run
 * Table I whatever --set said, and every figure still labelled its rows "Table I" / "16 × 32 GB/s"
 * under an override.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FIGURES, findFigure } from '../dse/reproduce/index.ts';

const SET = { dramChannels: 4 };
const run = (name: string, hw: Record<string, unknown> = {}) => findFigure(name)!.run({ fidelity: 'analytical', hw });

// Every figure FIGURES lists, so a new figure module that drops `opts.hw` (or does not say so in
// its text: common.ts hwLabel / userNote) fails here instead of ignoring --set without a word.
for (const name of FIGURES.map((f) => f.name)) {
  test(`reproduce ${name} --set hw.dramChannels=4 evaluates SpAtten on 4 channels and names the override`, () => {
    const base = run(name);
    const set = run(name, SET);
    assert.notDeepEqual(set.rows, base.rows, `${name}: --set changed nothing (does the figure pass opts.hw to every configuration?)`);
    assert.match(set.text, /dramChannels=4/, `${name}: the text does not name the override (common.ts hwLabel / userNote)`);
    assert.doesNotMatch(base.text, /dramChannels=4/);
  });
}

test('Fig. 18 under --set: the SpAtten roof follows the overridden bandwidth', () => {
  const base = run('fig18').rows as unknown as { roofs: Record<string, { gbps: number }> };
  const set = run('fig18', SET).rows as unknown as { roofs: Record<string, { gbps: number }> };
  assert.ok(Math.abs(set.roofs.SpAtten.gbps / base.roofs.SpAtten.gbps - 4 / 16) < 1e-9, 'Math.abs(set.roofs.SpAtten.gbps / base.roofs.SpAtten.gbps - 4 / 16) < 1e-9');
  assert.equal(set.roofs['TITAN Xp'].gbps, base.roofs['TITAN Xp'].gbps);
});

test('Table IV under --set: the GPU rows are unchanged, SpAtten-e2e rows change', () => {
  type R = { platform: string; quantity: string; ours: number };
  const base = (run('table4').rows as unknown as { rows: R[] }).rows;
  const set = (run('table4', SET).rows as unknown as { rows: R[] }).rows;
  for (const r of base) {
    const s = set.find((x) => x.platform === r.platform && x.quantity === r.quantity)!;
    if (r.platform === 'TITAN Xp') assert.equal(s.ours, r.ours);
  }
  const ms = (rows: R[]) => rows.find((x) => x.platform === 'SpAtten-e2e 8-bit FC' && x.quantity === 'attnMs')!.ours;
  assert.ok(ms(set) > ms(base), 'fewer channels should not make SpAtten faster');
});

test('the --report captions of the suite figures name the override instead of "Table I"', async () => {
  const { figureCharts } = await import('../reports/figures/index.ts');
  for (const name of ['headline', 'fig14', 'fig15']) {
    const charts = figureCharts({ name, rows: run(name, SET).rows });
    assert.ok(charts.length > 0, 'charts.length > 0');
    for (const c of charts) assert.match(c.caption ?? '', /Table I with --set dramChannels=4/, name);
  }
});

test('the --report series of fig19a, fig20 and fig20gpu name the override instead of "(Table I)"', async () => {
  const { figureCharts } = await import('../reports/figures/index.ts');
  for (const name of ['fig19a', 'fig20', 'fig20gpu']) {
    const set = JSON.stringify(figureCharts({ name, rows: run(name, SET).rows }));
    assert.match(set, /ours: table1 \(with --set dramChannels=4\)/, name);
    assert.doesNotMatch(set, /ours: table1 \(Table I\)/, name);
    assert.match(JSON.stringify(figureCharts({ name, rows: run(name).rows })), /ours: table1 \(Table I\)/, name);
  }
});

test('the --report caption of the SRAM figure names the override instead of "Table I hardware otherwise"', async () => {
  const { figureCharts } = await import('../reports/figures/index.ts');
  const [set] = figureCharts({ name: 'sram', rows: run('sram', SET).rows });
  assert.match(set.caption ?? '', /Table I with --set dramChannels=4 hardware otherwise/);
  const [base] = figureCharts({ name: 'sram', rows: run('sram').rows });
  assert.match(base.caption ?? '', /, Table I hardware otherwise/);
});

test('a --set of a knob a figure sets itself is refused, for exactly the figures that set it', async () => {
  const { checkFixedKnobs } = await import('../dse/commands/reproduce.ts');
  const fig = (n: string) => [findFigure(n)!];
  // fig19a sweeps the comparators and would silently replace the user's value; fig20/fig20gpu's steps
  // are defined by it (1 comparator, then 16), sram sweeps both SRAMs
  for (const [name, knob] of [['fig19a', 'topkParallelism'], ['fig20', 'topkParallelism'], ['fig20gpu', 'topkParallelism'], ['sram', 'keySramKB'], ['sram', 'valueSramKB']] as const) {
    assert.throws(() => checkFixedKnobs(fig(name), { [knob]: 4 }, name), new RegExp(`--set hw\\.${knob}: ${name} sets hw\\.${knob} itself`), `${name} ${knob}`);
  }
  // the figures that take the knob from --set keep taking it (the loop above checks they honour it)
  for (const name of ['headline', 'fig14', 'fig15', 'fig18', 'table4']) {
    assert.doesNotThrow(() => checkFixedKnobs(fig(name), { topkParallelism: 32, keySramKB: 98, valueSramKB: 98 }, name), name);
  }
  assert.doesNotThrow(() => checkFixedKnobs(fig('fig19a'), { dramChannels: 4 }, 'fig19a'));
  assert.throws(() => checkFixedKnobs(FIGURES, { keySramKB: 98 }, 'all'), /--set hw\.keySramKB: sram sets hw\.keySramKB itself/);
});

// hw.wordBits: each figure's minimum word, worked out from the widths it runs (the per8 trace's
// 6-bit keys + its 4-bit LSB pass = 10; the dense reference's −1 keys read as 8 + 4 = 12; the GPT-2
// benchmarks' 6 + 4-bit keys = 10; 12-bit e2e FC weights; Fig. 20's dense 12-bit baseline), from
// the configurations the figure declares (`configs`). The run checks each configuration it
// evaluates too: at the minimum it runs, one bit below it refuses — so the declared list holds the
// widest configuration the figure runs.
const MIN_WORD: Record<string, number> = { fig19a: 10, fig20: 12, sram: 12, headline: 10, fig14: 10, fig15: 12, fig18: 10, fig20gpu: 12, table4: 12 };
for (const f of FIGURES) {
  test(`reproduce ${f.name}: its minimum word is ${MIN_WORD[f.name]} bits; it runs at it and refuses one bit below`, async () => {
    const { figureWord } = await import('../dse/commands/reproduce.ts');
    const { WordTooNarrowError } = await import('../dse/reproduce/common.ts');
    assert.equal(figureWord(f, {}).widest.need.bits, MIN_WORD[f.name], `${f.name}: a figure missing from MIN_WORD, or a changed width`);
    assert.equal(figureWord(f, {}).short.length, 0, `${f.name} fits the default 12-bit word`);
    const min = MIN_WORD[f.name];
    assert.doesNotThrow(() => f.run({ fidelity: 'analytical', hw: { wordBits: min } }));
    assert.throws(() => f.run({ fidelity: 'analytical', hw: { wordBits: min - 1 } }), WordTooNarrowError);
    assert.ok(figureWord(f, { wordBits: min - 1 }).short.length > 0, `${f.name}: the declared configurations find the shortfall the run finds`);
  });
}
