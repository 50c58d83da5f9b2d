/**
 * The cycle model's admission account (sim/cycle/scheduler.ts, sim/cycle/sim.ts `admissionAccount`;
 * core/admission-account.ts in words): the admissions, the waits before them by reason and the
 * drain after the last one partition the simulator's cycles, checked against the admission and
 * decision times recorded from the run itself (scripts/head-timeline.ts), and each reason and what
 * the heads waited for is the resource whose relief moves the latency.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { simulateCycle } from '../sim/cycle/index.ts';
import { buildWorkload } from '../sim/workload/build.ts';
import { AlgoSchema, HardwareSchema, WorkloadSchema, type HardwareConfig } from '../sim/schema.ts';
import { recordHeadTimes } from '../scripts/head-timeline.ts';
import { readTraceFile } from '../sim/workload/trace.ts';
import { ACCOUNT, ACCOUNT_KEYS, accountText } from '../core/admission-account.ts';
import { bindingName, bindingText, boundsOf, boundsText } from '../core/latency-bounds.ts';

const GPT2 = { model: 'gpt2-small', stage: 'generation', seqLen: 256, genTokens: 4 } as const;
const BERT = { model: 'bert-base', stage: 'summarization', seqLen: 128 } as const;

function run(wl: object, hw: Partial<HardwareConfig> = {}, algo: object = {}) {
  const w = buildWorkload(WorkloadSchema.parse(wl), AlgoSchema.parse(algo));
  let r!: ReturnType<typeof simulateCycle>;
  const times = recordHeadTimes(() => {
    r = simulateCycle(w, HardwareSchema.parse(hw));
  });
  return { r, x: r.extra!, n: w.requests.length, times };
}

const waits = (x: Record<string, number>) => x.wait_token_gate_cycles + x.wait_window_cycles + x.wait_key_buffer_cycles + x.wait_value_buffer_cycles;

test('the account partitions the cycles: admissions a cycle each after the first, the waits between them, the drain after the last', () => {
  const cases = [
    [GPT2, {}, {}],
    [GPT2, { gateTokenTopk: true }, { tokenKeep: 0.5 }],
    [GPT2, { inFlight: 3, dramChannels: 4 }, { valueKeep: 0.5 }],
    [BERT, {}, {}],
    [BERT, { valueSramKB: 12 }, {}],
  ] as const;
  for (const [wl, hw, algo] of cases) {
    const { r, x, n, times } = run(wl, hw, algo);
    const where = `${wl.model} ${JSON.stringify(hw)} ${JSON.stringify(algo)}`;
    const admits = [...times.values()].map((t) => t.admit!);
    assert.equal(admits.length, n, where);
    const last = Math.max(...admits);
    const sum = ACCOUNT.reduce((s, [k]) => s + x[k], 0);
    assert.ok(Math.abs(sum - r.cycles) < 1e-6 * r.cycles, `${where}: ${sum} vs ${r.cycles}`);
    assert.ok(Math.abs(x.admit_cycles - (n - 1)) < 1e-6, `${where}: admissions ${x.admit_cycles}, ${n} heads`);
    assert.ok(Math.abs(x.drain_cycles - (r.cycles - last)) < 1e-6, `${where}: drain`);
    // the drain splits at the last decision: the last heads' passes, then the engines after them
    const lastDecision = Math.max(...[...times.values()].map((t) => t.decision!));
    assert.ok(Math.abs(x.drain_front_cycles - (lastDecision - last)) < 1e-6 && x.drain_front_cycles >= 0, `${where}: ${x.drain_front_cycles}`);
    assert.ok(Math.abs(x.drain_front_cycles + x.drain_engines_cycles - x.drain_cycles) < 1e-6, where);
    assert.ok(Math.abs(waits(x) - (last - (n - 1))) < 1e-6 * last, `${where}: waits ${waits(x)} vs ${last - (n - 1)}`);
    assert.ok(Math.abs(x.wait_full_on_dram_cycles + x.wait_full_on_compute_cycles - x.wait_window_cycles - x.wait_key_buffer_cycles) < 1e-6 * r.cycles, where);
    for (const k of ACCOUNT_KEYS) assert.ok(x[k] >= 0, `${where}: ${k} ${x[k]}`);
  }
});

test('one head in flight: each head is admitted at its predecessor\'s decision, and the window\'s wait is the time between', () => {
  const { x, n, times } = run(GPT2, { inFlight: 1 });
  let between = 0;
  for (let k = 0; k + 1 < n; k++) {
    assert.equal(times.get(k + 1)!.admit, times.get(k)!.decision, `head ${k + 1}`);
    between += times.get(k)!.decision! - times.get(k)!.admit! - 1;
  }
  assert.ok(Math.abs(x.wait_window_cycles - between) < 1e-6 * between, `${x.wait_window_cycles} vs ${between}`);
  assert.equal(x.wait_key_buffer_cycles + x.wait_token_gate_cycles + x.wait_value_buffer_cycles, 0);
  // a key buffer that holds one head's lines is the same window, booked to the key buffer
  const k1 = run(GPT2, { keySramKB: 24 });
  assert.equal(k1.r.cycles, run(GPT2, { inFlight: 1 }).r.cycles);
  assert.ok(k1.x.wait_key_buffer_cycles > 0.9 * k1.r.cycles && k1.x.wait_window_cycles === 0, JSON.stringify(boundsOf(k1.x)));
});

test('what the waiting heads were on is the resource whose relief moves the latency', () => {
  const ratio = (hw: Partial<HardwareConfig>, more: Partial<HardwareConfig>) => run(GPT2, { ...hw, ...more }).r.cycles / run(GPT2, hw).r.cycles;
  // one DRAM channel: the heads the key buffer waits for are on their key streams; more channels relieve it, a larger Q·K array does not
  const dram: Partial<HardwareConfig> = { dramChannels: 1 };
  const d = run(GPT2, dram).x;
  assert.ok(d.wait_full_on_dram_cycles > 0.99 * (d.wait_window_cycles + d.wait_key_buffer_cycles), JSON.stringify(boundsOf(d)));
  assert.match(bindingName(boundsOf(d))!, /^admission: key buffer \(key streams \(DRAM\)\)$/);
  assert.ok(ratio(dram, { dramChannels: 2 }) < 0.7 && ratio(dram, { qkMultipliers: 2048 }) > 0.98);
  // a 32-multiplier Q·K array: they are on Q·K/softmax; the reverse
  const qk: Partial<HardwareConfig> = { qkMultipliers: 32 };
  const c = run(GPT2, qk).x;
  assert.ok(c.wait_full_on_compute_cycles > 0.99 * (c.wait_window_cycles + c.wait_key_buffer_cycles), JSON.stringify(boundsOf(c)));
  assert.equal(bindingName(boundsOf(c)), 'admission: key buffer (Q·K/softmax)');
  assert.ok(ratio(qk, { qkMultipliers: 64 }) < 0.7 && ratio(qk, { dramChannels: 32 }) > 0.98);
});

test('each reason is the condition that refused: the token top-k gate only when gated, the value buffer in summarization', () => {
  const on = run(GPT2, { gateTokenTopk: true }, { tokenKeep: 0.5 }).x;
  const off = run(GPT2, { gateTokenTopk: false }, { tokenKeep: 0.5 }).x;
  assert.ok(on.wait_token_gate_cycles > 0.2 * waits(on), JSON.stringify(boundsOf(on)));
  assert.equal(off.wait_token_gate_cycles, 0);
  // BERT summarization reuses K/V from SRAM: a value buffer of 12 KB holds back admission, twice
  // that cuts the latency, and the default 196 KB never refuses (the window does, on Q·K/softmax)
  const small = run(BERT, { valueSramKB: 12 });
  assert.equal(bindingName(boundsOf(small.x)), 'admission: value buffer');
  assert.ok(small.x.wait_value_buffer_cycles > 0.9 * small.r.cycles);
  assert.ok(run(BERT, { valueSramKB: 24 }).r.cycles < 0.7 * small.r.cycles);
  const large = run(BERT, { valueSramKB: 196 });
  assert.equal(large.x.wait_value_buffer_cycles, 0);
  assert.equal(bindingName(boundsOf(large.x)), 'admission: heads-in-flight window (Q·K/softmax)');
  // a named wait can hide the next condition: with half the value SRAM admission waits for the
  // value buffer instead of the window, in the same cycles (README, simulate)
  const half = run(BERT, { valueSramKB: 98 });
  assert.equal(bindingName(boundsOf(half.x)), 'admission: value buffer');
  assert.equal(half.r.cycles, large.r.cycles);
  // generation allocates value lines after the decision, never at admission
  assert.equal(run(GPT2, { valueSramKB: 12 }).x.wait_value_buffer_cycles, 0);
});

test('on the official per8 trace the key buffer\'s wait is the largest entry, yet top-k, busy nearly all the run, sets the latency', () => {
  const w = readTraceFile(path.join(import.meta.dirname, '..', 'sim', 'workload', 'traces', 'summary-gpt2-small-wikitext2-per8.csv'));
  const at = (hw: Partial<HardwareConfig>) => simulateCycle(w, HardwareSchema.parse(hw));
  const r = at({});
  assert.match(bindingName(boundsOf(r.extra))!, /^admission: key buffer/);
  assert.ok(r.stages.topk > 0.95 * r.cycles, `top-k ${r.stages.topk} of ${r.cycles}`);
  // its drain is the top-k engine's backlog after the last decision, not the last heads' passes
  assert.ok(r.extra!.drain_engines_cycles > 0.9 * r.extra!.drain_cycles && r.extra!.drain_cycles > 0.1 * r.cycles, JSON.stringify(boundsOf(r.extra)));
  // the words give top-k's bound on any other relief
  assert.match(bindingText(boundsOf(r.extra), r.stages)!, /^admission waited most for the key buffer \(.*\); relieving anything but topk gains at most [0-4]\.\d%$/);
  // relieving anything else gains at most top-k's idle share: 32 comparators cut the latency, a key buffer four times larger does not
  assert.ok(at({ topkParallelism: 32 }).cycles < 0.9 * r.cycles);
  const k = at({ keySramKB: 784 }).cycles;
  assert.ok(k > 0.98 * r.cycles && k >= r.stages.topk, `key SRAM x4: ${k} of ${r.cycles}`);
});

test('the account in words: every entry largest first with its share, the largest named; a cycle result\'s bounds are its account', () => {
  const a = { admit_cycles: 12287, wait_token_gate_cycles: 0, wait_window_cycles: 273562.1, wait_key_buffer_cycles: 968393.1, wait_value_buffer_cycles: 0, drain_cycles: 2092.8, wait_full_on_dram_cycles: 248134.9, wait_full_on_compute_cycles: 993820.4 };
  assert.equal(
    accountText(a),
    'where the cycles went (admission account, adds up to the latency): waiting for the key buffer 968,393 (77%) · waiting for the heads-in-flight window 273,562 (22%) · ' +
      'admissions, a cycle each 12,287 (1%) · the drain after the last admission 2,093 (0%); the window and key buffer waited for heads on Q·K/softmax 993,820, on their key streams (DRAM) 248,135',
  );
  assert.equal(boundsText({ ...a, events: 5 }), accountText(a));
  assert.equal(bindingText(a), 'admission waited most for the key buffer (968,393 of 1,256,335 cycles, 77%; heads on Q·K/softmax 993,820, on their key streams (DRAM) 248,135)');
  assert.equal(bindingName(a), 'admission: key buffer (Q·K/softmax)');
  // with the stages: the busiest stage's bound on any other relief (to a tenth under 10%), or the stage itself when it is never idle
  const stages = { dram: 900350.4, qk: 936178, softmax: 936178, topk: 152554, pv: 1069824, overhead: 186511 };
  assert.equal(bindingText(a, stages), bindingText(a) + '; relieving anything but pv gains at most 15%');
  assert.equal(boundsText(a, false, stages), accountText(a) + '; relieving anything but pv gains at most 15%');
  assert.match(bindingText(a, { ...stages, topk: 1.23e6 })!, /; relieving anything but topk gains at most 2\.1%$/);
  assert.match(bindingText(a, { ...stages, dram: 1.3e6 })!, /; dram is busy every cycle: it sets the latency$/);
  assert.equal(bindingText(a, { overhead: 5e6 }), bindingText(a), 'overhead is not a stage');
  const drained = { ...a, drain_cycles: 2e6 };
  assert.equal(bindingText(drained), 'most of the latency is the drain after the last admission (2,000,000 of 3,254,242 cycles, 61%)');
  const split = { ...drained, drain_front_cycles: 1500, drain_engines_cycles: 1998500 };
  assert.equal(bindingText(split), "most of the latency is the drain after the last admission (2,000,000 of 3,254,242 cycles, 61%: the last heads' passes 1,500, the engines after them 1,998,500)");
  assert.match(accountText(split), /: the drain after the last admission 2,000,000 \(61%: the last heads' passes 1,500, the engines after them 1,998,500\) · /);
  assert.equal(bindingName(drained), 'drain after the last admission');
  const { x } = run(GPT2);
  assert.deepEqual(Object.keys(boundsOf(x)!).sort(), [...ACCOUNT_KEYS].sort(), 'only the account');
});

test('simulate --fidelity cycle prints the account, and --json gives it in extra', () => {
  const BIN = path.join(import.meta.dirname, '..', 'bin', 'spatten-dse.js');
  const args = ['simulate', '-w', 'gpt2-small', '--seq-len', '256', '--gen-tokens', '4', '--fidelity', 'cycle'];
  const text = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8' });
  assert.equal(text.status, 0, text.stderr);
  assert.match(text.stdout, /\nwhere the cycles went \(admission account, adds up to the latency\): waiting for the key buffer [\d,]+ \(\d+%\) · /);
  const json = spawnSync(process.execPath, [BIN, ...args, '--json'], { encoding: 'utf8' });
  const o = JSON.parse(json.stdout) as { cycles: number; extra: Record<string, number> };
  assert.ok(Math.abs(ACCOUNT.reduce((s, [k]) => s + o.extra[k], 0) - o.cycles) < 1e-6 * o.cycles);
});
