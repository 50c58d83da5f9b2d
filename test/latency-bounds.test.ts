/**
 * The analytical model's latency bounds (sim/hw/finalize.ts LatencyLimits; core/latency-bounds.ts
 * in words): the latency is the largest bound, and the bound named as setting it is the one a
 * change must relieve. The busiest stage is not: at the default sweep's knee prob·V is the busiest
 * stage and doubling the prob·V array leaves the latency where it is.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyticalModel, createFastMetrics, evaluatePrepared, prepareWorkload } from '../sim/hw/analytical.ts';
import { buildWorkload } from '../sim/workload/build.ts';
import { AlgoSchema, HardwareSchema, WorkloadSchema, type HardwareConfig } from '../sim/schema.ts';
import { mulberry32 } from '../sim/rng.ts';
import { practicalHardware, needBits, randomAlgo } from '../scripts/monotone-audit.ts';
import { bindingName, bindingText, boundsOf, boundsText } from '../core/latency-bounds.ts';
import { spawnSync } from 'node:child_process';
import path from 'node:path';

const BIN = path.join(import.meta.dirname, '..', 'bin', 'spatten-dse.js');
const simulate = (args: string[]) => {
  const r = spawnSync(process.execPath, [BIN, 'simulate', ...args], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
};

const LIMIT_KEYS = ['limit_front_cycles', 'limit_window_cycles', 'limit_chain_cycles', 'limit_in_order_cycles', 'limit_engines_cycles', 'limit_value_buffer_cycles'];

const WORKLOADS = [
  { model: 'bert-base', stage: 'summarization', seqLen: 128 },
  { model: 'gpt2-small', stage: 'generation', seqLen: 128, genTokens: 2 },
  { model: 'gpt2-medium', stage: 'generation', seqLen: 256, genTokens: 2 },
] as const;

test('the latency is the largest bound, each bound is at least the stage it contains, and the fast path reports the reference\'s bounds', () => {
  const rng = mulberry32(7);
  const out = createFastMetrics();
  let n = 0;
  let gated = 0;
  for (const wl of WORKLOADS) {
    for (let a = 0; a < 6; a++) {
      const algo = randomAlgo(rng);
      const w = buildWorkload(WorkloadSchema.parse(wl), algo);
      const p = prepareWorkload(w);
      for (let i = 0; i < 8; i++) {
        const hw = practicalHardware(rng, needBits(WorkloadSchema.parse(wl), algo));
        let r;
        try {
          r = analyticalModel(w, hw);
        } catch (e) {
          if (/too small|line pair/.test((e as Error).message)) continue;
          throw e;
        }
        const x = r.extra!;
        const where = `${wl.model} ${JSON.stringify(hw)}`;
        assert.equal(r.cycles, Math.max(...LIMIT_KEYS.map((k) => x[k])), `cycles = the largest bound: ${where}`);
        // a smooth max is never below its largest term; the front's DRAM and compute terms hold their stages
        assert.ok(x.limit_front_cycles >= Math.max(x.front_dram_cycles, x.front_compute_cycles, x.front_window_cycles), where);
        assert.ok(x.front_dram_cycles >= r.stages.dram, where);
        assert.ok(x.front_compute_cycles >= Math.max(r.stages.qk, r.stages.softmax), where);
        assert.ok(x.limit_engines_cycles >= Math.max(r.stages.topk, r.stages.pv), where);
        // the fast path: the same bounds (its sums are the reference's to ~1e-13 relative)
        const f = evaluatePrepared(p, hw, out);
        const fast = { front: x.limit_front_cycles, frontDram: x.front_dram_cycles, frontCompute: x.front_compute_cycles, frontWindow: x.front_window_cycles, window: x.limit_window_cycles, chain: x.limit_chain_cycles, inOrder: x.limit_in_order_cycles, engines: x.limit_engines_cycles, valueBuffer: x.limit_value_buffer_cycles };
        assert.equal(f.cycles, Math.max(f.limits.front, f.limits.window, f.limits.chain, f.limits.inOrder, f.limits.engines, f.limits.valueBuffer), where);
        for (const [k, v] of Object.entries(fast)) assert.ok(Math.abs(f.limits[k as keyof typeof f.limits] - v) <= 1e-12 * Math.max(1, v), `${k}: ${f.limits[k as keyof typeof f.limits]} vs ${v}, ${where}`);
        n++;
        if (hw.gateTokenTopk && wl.stage === 'generation') gated++;
      }
    }
  }
  assert.ok(n > 100 && gated > 5, `${n} points, ${gated} gated generation`);
});

/** gpt2-small generation, 128 + 2 tokens, two heads in flight on 8 channels of 64 GB/s: the heads-in-flight window binds. */
const WINDOW_BOUND: Partial<HardwareConfig> = { qkMultipliers: 512, pvMultipliers: 256, topkParallelism: 1, keySramKB: 392, valueSramKB: 49, dramChannels: 8, dramChannelGBps: 64, inFlight: 2, wordBits: 16 };

function latency(hw: Partial<HardwareConfig>, algo = { headKeep: 0.5 }) {
  const w = buildWorkload(WorkloadSchema.parse({ model: 'gpt2-small', stage: 'generation', seqLen: 128, genTokens: 2 }), AlgoSchema.parse(algo));
  return analyticalModel(w, HardwareSchema.parse(hw));
}

test('the bound named as setting the latency is the one whose resource moves it: the heads-in-flight window, not the busiest stage\'s array', () => {
  const r = latency(WINDOW_BOUND);
  const b = boundsOf(r.extra)!;
  assert.equal(bindingName(b), 'front (heads-in-flight window)');
  // the window exceeds the DRAM and Q·K/softmax terms; the engines after the decision are far below
  assert.ok(b.front_window_cycles > b.front_dram_cycles && b.front_dram_cycles > b.front_compute_cycles, JSON.stringify(b));
  assert.ok(b.limit_engines_cycles < 0.5 * r.cycles, JSON.stringify(b));
  // doubling the prob·V array or the comparators leaves the latency within 1%; twice the heads in flight cut it by more than 10%
  for (const k of ['pvMultipliers', 'topkParallelism'] as const) {
    const d = latency({ ...WINDOW_BOUND, [k]: 2 * WINDOW_BOUND[k]! });
    assert.ok(Math.abs(d.latency_s / r.latency_s - 1) < 0.01, `${k}: ${d.latency_s / r.latency_s}`);
  }
  const more = latency({ ...WINDOW_BOUND, inFlight: 4 });
  assert.ok(more.latency_s < 0.9 * r.latency_s, `inFlight 4: ${more.latency_s / r.latency_s}`);
  // with a 16-comparator engine on local-V pruning of every head, the engines after the decision bind instead
  const tk = latency({ ...WINDOW_BOUND, inFlight: 16, dramChannels: 32 }, { headKeep: 0.5, valueKeep: 0.3 } as never);
  const tb = boundsOf(tk.extra)!;
  // (the local-V engine in request order, or its busy time + the drain: 27 cycles apart here)
  assert.ok(['engines after the decision (top-k, prob·V)', 'heads in request order'].includes(bindingName(tb)!), JSON.stringify(tb));
  assert.ok(tb.limit_engines_cycles > 0.99 * tk.cycles && tk.stages.topk > 0.99 * tb.limit_engines_cycles, JSON.stringify(tb));
  const twice = latency({ ...WINDOW_BOUND, inFlight: 16, dramChannels: 32, topkParallelism: 2 }, { headKeep: 0.5, valueKeep: 0.3 } as never);
  assert.ok(twice.latency_s < 0.7 * tk.latency_s, `topkParallelism 2: ${twice.latency_s / tk.latency_s}`);
});

test('the bounds in words: all of them largest first, the binding one with the front\'s terms; none for a result without them', () => {
  const x = { limit_front_cycles: 1226618.4, front_dram_cycles: 951935, front_compute_cycles: 935633, front_window_cycles: 1121325, limit_window_cycles: 1121519, limit_chain_cycles: 410692, limit_in_order_cycles: 1115469, limit_engines_cycles: 1070018, limit_value_buffer_cycles: 0, dram_gbps: 417 };
  assert.equal(
    boundsText(x),
    'bounds (cycles, the latency is the largest): front 1,226,618 (heads-in-flight window 1,121,325, DRAM 951,935, Q·K/softmax 935,633) · heads-in-flight window 1,121,519 · ' +
      'heads in request order 1,115,469 · engines after the decision (top-k, prob·V) 1,070,018 · serial path of the heads in flight 410,692',
  );
  assert.match(boundsText(x, true)!, /^the attention's bounds \(cycles, its latency is the largest\): front/);
  assert.equal(bindingText(boundsOf(x)), 'latency set by the front (heads-in-flight window 1,121,325, DRAM 951,935, Q·K/softmax 935,633 cycles, overlapped: 1,226,618)');
  assert.equal(bindingText({ ...boundsOf(x)!, limit_engines_cycles: 2e6 }), 'latency set by the engines after the decision (top-k, prob·V): 2,000,000 cycles');
  assert.deepEqual(Object.keys(boundsOf(x)!).sort(), [...LIMIT_KEYS, 'front_dram_cycles', 'front_compute_cycles', 'front_window_cycles'].sort(), 'only the bounds and the front terms');
  for (const none of [undefined, {}, { events: 3, dram_gbps: 100 }] as (Record<string, number> | undefined)[]) {
    assert.equal(boundsText(none), undefined);
    assert.equal(bindingText(boundsOf(none)), undefined);
  }
});

test('simulate prints the bounds line (analytical) and --json gives them in extra; the cycle model has none, its account instead', () => {
  const set = Object.entries(WINDOW_BOUND).flatMap(([k, v]) => ['--set', `hw.${k}=${v}`]);
  const args = ['-w', 'gpt2-small', '--seq-len', '128', '--gen-tokens', '2', '--set', 'algo.headKeep=0.5', ...set];
  assert.match(simulate(args), /\nbounds \(cycles, the latency is the largest\): front [\d,]+ \(heads-in-flight window [\d,]+, DRAM [\d,]+, Q·K\/softmax [\d,]+\) · /);
  const o = JSON.parse(simulate([...args, '--json'])) as { cycles: number; extra: Record<string, number> };
  assert.equal(o.cycles, Math.max(...LIMIT_KEYS.map((k) => o.extra[k])));
  // the cycle model has no bounds: it prints its admission account (test/admission-account.test.ts)
  const cyc = simulate([...args, '--fidelity', 'cycle']);
  assert.ok(!/\nbounds /.test(cyc) && /\nwhere the cycles went /.test(cyc), cyc);
});

test('the report\'s highlighted points name the bound that sets each latency; a run.json without bounds has no such column', async () => {
  const { highlightWhy } = await import('../reports/sections.ts');
  const h = (bounds?: Record<string, number>) => ({ id: 7, label: 'knee', params: {}, metrics: { cycles: 1000 }, stages: { pv: 880, qk: 800 }, energy: {}, area: {}, ...(bounds ? { bounds } : {}) });
  const run = (hs: object[]) => ({ highlights: hs }) as never;
  const front = { limit_front_cycles: 1000, front_dram_cycles: 700, front_compute_cycles: 800, front_window_cycles: 950, limit_engines_cycles: 880, limit_window_cycles: 900, limit_chain_cycles: 100, limit_in_order_cycles: 0, limit_value_buffer_cycles: 0 };
  const html = highlightWhy(run([h(front)]));
  assert.match(html, /<th>latency set by<\/th>/);
  assert.match(html, /<td>front \(heads-in-flight window\)<\/td>/);
  assert.match(html, /Latency set by: the largest of the analytical model’s latency bounds/);
  assert.ok(!html.includes('admission account'), 'no cycle-model sentence without a cycle highlight');
  // a cycle-model highlight: its account's largest entry, and the sentence that says how to read it
  const cyc = highlightWhy(run([h({ admit_cycles: 99, wait_token_gate_cycles: 0, wait_window_cycles: 0, wait_key_buffer_cycles: 700, wait_value_buffer_cycles: 0, drain_cycles: 201, wait_full_on_dram_cycles: 600, wait_full_on_compute_cycles: 100 })]));
  assert.match(cyc, /<td>admission: key buffer \(key streams \(DRAM\)\)<\/td>/);
  assert.match(cyc, /Latency set by \(cycle model\): the largest entry of the simulator’s admission account/);
  assert.ok(!cyc.includes('analytical model’s latency bounds'), cyc);
  const old = highlightWhy(run([h()]));
  assert.ok(!old.includes('latency set by') && !old.includes('Latency set by'), old);
});
