// The llm token policy's floor: a tokenKeep below startTokens + recentTokens runs the protected
// windows alone, and the space and the `accuracy` command say so (dse/llm-floor.ts).
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { belowProtected, llmBudget } from '../sim/nn/llm-budget.ts';
import { llmFloorNote, lmWindowTokens } from '../dse/llm-floor.ts';
import { parseSpace } from '../dse/space.ts';

test('below the protected windows: keepCount(T, tokenKeep) < start + recent, by hand', () => {
  // sotu-char's windows are 256 tokens; 4 + 32 = 36 protected
  assert.equal(belowProtected(4, 32, 0.05, 256), true); // round(12.8) = 13 < 36
  assert.equal(belowProtected(4, 32, 0.13, 256), true); // round(33.28) = 33
  assert.equal(belowProtected(4, 32, 0.141, 256), false); // round(36.1) = 36: the budget is its own
  assert.equal(belowProtected(4, 8, 0.05, 256), false); // 13 ≥ 12
  assert.equal(llmBudget(4, 32, 0.05, 256), 36);
  assert.equal(llmBudget(4, 32, 0.25, 256), 64);
});

test("a shipped LM's windows come from its config.json: at most 256 tokens", () => {
  assert.equal(lmWindowTokens('sotu-char'), 256);
  assert.equal(lmWindowTokens('spam-bert'), undefined); // a BERT config has no n_positions
  assert.equal(lmWindowTokens('no-such-model'), undefined);
});

test('accuracy: the note names the floor, and only below it under llm', () => {
  const note = llmFloorNote('sotu-char', { tokenPolicy: 'llm', tokenKeep: 0.05 });
  assert.match(note ?? '', /^note: algo\.tokenKeep 0\.05: .* startTokens \+ recentTokens = 4 \+ 32 = 36 tokens of sotu-char's 256-token windows \(tokenKeep 0\.141\), so the run keeps those and ranks none; lower algo\.recentTokens/);
  assert.equal(llmFloorNote('sotu-char', { tokenKeep: 0.05 }), undefined); // cascade
  assert.equal(llmFloorNote('sotu-char', { tokenPolicy: 'llm', tokenKeep: 0.25 }), undefined);
  assert.equal(llmFloorNote('sotu-char', { tokenPolicy: 'llm', tokenKeep: 0.05, recentTokens: 8 }), undefined);
});

const SPACE = (algo: string, params: string) => `name: floor
workload: { model: gpt2-medium, stage: generation, seqLen: 992, genTokens: 32 }
fidelity: analytical
algo: ${algo}
accuracy: { model: sotu-char, maxExamples: 16 }
objectives:
  - { metric: perplexity, goal: min }
  - { metric: latency_s, goal: min }
parameters:
${params}
search: { driver: lhs, seed: 1, samples: 8 }
`;

test('a space: swept values below the floor are named, with the line', () => {
  const notes = parseSpace(SPACE('{ tokenPolicy: llm }', '  algo.tokenKeep: [0.05, 0.1, 0.25]\n  hw.topkParallelism: [8, 16]'), 'f.yaml').notes;
  const floor = notes.filter((n) => n.includes('protected') || n.includes('recentTokens'));
  assert.equal(floor.length, 1, notes.join('\n'));
  assert.match(floor[0], /^f\.yaml:10:\d+: parameters\.algo\.tokenKeep: .* = 36 tokens of sotu-char's 256-token windows \(tokenKeep 0\.141\); its values 0\.05, 0\.1 keep those and rank none: they run the same points; lower algo\.recentTokens/);
  // a continuous range starting below the floor
  const range = parseSpace(SPACE('{ tokenPolicy: llm }', '  algo.tokenKeep: { range: [0.02, 0.5] }'), 'f.yaml').notes.join('\n');
  assert.match(range, /its values from 0\.02 up to about 0\.141 keep those and rank none/);
  // the algo block's value, and a sweep of the policy: only its llm points
  const base = parseSpace(SPACE('{ tokenKeep: 0.1 }', '  algo.tokenPolicy: [cascade, llm]'), 'f.yaml').notes.join('\n');
  assert.match(base, /f\.yaml:4:\d+: algo\.tokenKeep: .*\(at the points with algo\.tokenPolicy llm\); 0\.1 keeps those and ranks none/);
});

test('a space: no note on cascade, above the floor, or with smaller windows', () => {
  const quiet = (algo: string, params: string) => parseSpace(SPACE(algo, params), 'f.yaml').notes.filter((n) => n.includes('recentTokens'));
  assert.deepEqual(quiet('{ lsbBits: 0 }', '  algo.tokenKeep: [0.05, 0.1, 0.25]'), []);
  assert.deepEqual(quiet('{ tokenPolicy: llm }', '  algo.tokenKeep: [0.15, 0.25, 0.5]'), []);
  assert.deepEqual(quiet('{ tokenPolicy: llm, recentTokens: 8 }', '  algo.tokenKeep: [0.05, 0.25]'), []);
});

test('accuracy prints the note on stderr before it runs', () => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'dse/cli.ts', 'accuracy', '--model', 'sotu-char', '--set', 'algo.tokenPolicy=llm', '--set', 'algo.tokenKeep=0.05', '--max-examples', '1', '--json'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /note: algo\.tokenKeep 0\.05: .* = 36 tokens of sotu-char's 256-token windows/);
  assert.equal(JSON.parse(r.stdout).metric, 'perplexity');
});
