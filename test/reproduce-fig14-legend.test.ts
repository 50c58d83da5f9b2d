/**
 * Fig. 14 and Fig. 15 say what their columns are: Fig. 14 printed an unexplained "L" (12 … 992)
 * and a SpAtten latency without saying per what, and Fig. 15 an "FC" column of 8-bit / 12-bit
 * without saying it is the FC weight width. What the legend claims is held to the benchmarks.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { figure as fig14 } from '../dse/reproduce/fig14.ts';
import { figure as fig15 } from '../dse/reproduce/fig15.ts';
import { BENCHMARKS } from '../sim/workload/benchmarks.ts';

test('Fig. 14 legend: L and the SpAtten column, and the GPT-2 rows are 32 generated tokens after 992', () => {
  const { text } = fig14.run({ fidelity: 'analytical' });
  assert.match(text, /L = tokens per sentence \(BERT: derived from the dev split.*; GPT-2: 32 generated after a 992-token prompt, the generation timed as §V-A\); SpAtten = our latency per sentence/);
  assert.match(text, /cells: speedup \/ energy saving = platform latency \/ ours, platform energy \/ ours/);
  for (const b of BENCHMARKS.filter((x) => x.model.startsWith('gpt2'))) {
    assert.deepEqual([b.stage, b.seqLen, b.genTokens], ['generation', 992, 32], b.name);
    assert.match(text, new RegExp(`${b.name}\\s+992 `), `${b.name}: L column`);
  }
  for (const b of BENCHMARKS.filter((x) => x.model.startsWith('bert'))) assert.equal(b.stage, 'summarization', b.name);
});

test('Fig. 15 legend: FC is the weight width, 8 or 12 bits (§V-B)', () => {
  const { text } = fig15.run({ fidelity: 'analytical' });
  assert.match(text, /FC = SpAtten-e2e's FC\/FFN weight width in DRAM \(§V-B: 8 or 12 bits\)/);
  assert.deepEqual([...new Set(text.match(/ (8|12)-bit /g))].sort(), [' 12-bit ', ' 8-bit ']);
});
