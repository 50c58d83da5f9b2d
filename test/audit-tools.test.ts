/**
 * The evidence tools of sim/cycle/README.md's analytical-vs-cycle readings: the cycle audit's
 * agreement check alone (scripts/monotone-audit.ts `agreement`, `--agreement`), the simulator's
 * per-head timeline (scripts/head-timeline.ts `recordHeadTimes`) and what fills a gated boundary's
 * bubble (scripts/gate-bubble.ts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { agreement, audit, auditPoints } from '../scripts/monotone-audit.ts';
import { recordHeadTimes, recordStreamExtras, withHardware } from '../scripts/head-timeline.ts';
import { DramFrontEnd } from '../sim/cycle/fetcher.ts';
import { auditGated, bubbleSummary, gateBubble } from '../scripts/gate-bubble.ts';
import { simulateCycle } from '../sim/cycle/index.ts';
import { RequestScheduler } from '../sim/cycle/scheduler.ts';

test('--agreement checks the full cycle audit\'s points: the same ratios outside 10% as its disagreements', () => {
  // the first three rounds' 54 points (one of them, round 2's gpt2-medium generation point 2, 13.2% apart)
  const full = audit({ model: 'cycle', seed: 1, points: 6, algos: 3, tol: 0, budgetS: Infinity });
  const { rows, summary } = agreement(1, 3, 6);
  assert.equal(rows.length, full.agreeChecked, 'every point the full audit checked (none refused here)');
  const outside = rows.filter((r) => Math.abs(r.ratio - 1) >= 0.1).map((r) => `${r.workload} ${r.ratio}`);
  const disagree = full.violations.filter((v) => v.check === 'disagree').map((v) => `${v.workload} ${v.ratio}`);
  assert.deepEqual(outside, disagree);
  assert.ok(outside.length >= 1, 'the sample holds a disagreement');
  assert.equal(summary.above10 + summary.below10, outside.length);
  assert.equal(summary.points, rows.length);
  assert.ok(summary.meanAbsLn > 0 && summary.meanAbsLn < 0.2, String(summary.meanAbsLn));
  // each point outside 10% says what sets each model's latency; the others carry nothing
  for (const r of rows) assert.equal(r.why !== undefined, Math.abs(r.ratio - 1) >= 0.1, `${r.workload} ${r.ratio}`);
  for (const r of rows.filter((x) => x.why)) {
    assert.match(r.why!.analytical, /^latency set by the /);
    assert.match(r.why!.cycle, /^(admission waited most for|most of the latency is) the .*(; relieving anything but \w+ gains at most [\d.]+%|; \w+ is busy every cycle: it sets the latency)$/);
  }
});

test('the per-head timeline: every head in event order, at most inFlight windows at a time, and the simulator unchanged after it', () => {
  // the first point of each workload: BERT summarization (values fetched at admission) and GPT-2 generation (after the decision)
  const pts = [...auditPoints('cycle', 1, 1, 1)];
  assert.equal(pts.length, 3);
  const original = RequestScheduler.prototype.admit;
  for (const p of pts) {
    let cycles = 0;
    const times = recordHeadTimes(() => {
      cycles = simulateCycle(p.c.w, p.hw, { seed: 1 }).cycles;
    });
    assert.equal(RequestScheduler.prototype.admit, original, 'the wrapped methods are restored');
    assert.equal(simulateCycle(p.c.w, p.hw, { seed: 1 }).cycles, cycles, 'recording does not change the run');
    assert.equal(times.size, p.c.w.requests.length, p.c.label);
    const generation = p.c.w.stage === 'generation';
    let sum = 0;
    for (const [i, t] of times) {
      const order = [t.admit, t.keyIssue, t.keyEnd, t.decision].map((x) => x ?? NaN);
      for (let k = 1; k < order.length; k++) assert.ok(order[k - 1] <= order[k], `${p.c.label} head ${i}: ${JSON.stringify(t)}`);
      if (t.valueIssue !== undefined) {
        assert.ok(t.admit! <= t.valueIssue && t.valueIssue <= t.valueEnd!, `${p.c.label} head ${i}: ${JSON.stringify(t)}`);
        if (generation) assert.ok(t.decision! <= t.valueIssue, `${p.c.label} head ${i}: its values are fetched after its decision`);
      }
      sum += t.decision! - t.admit!;
    }
    // no more than inFlight heads between admission and decision at once
    assert.ok(sum / p.hw.inFlight <= cycles, `${p.c.label}: ${sum / p.hw.inFlight} vs ${cycles}`);
  }
});

test('a gated boundary\'s bubble: the heads the analytical model counts issuing their V stream in it are the simulator\'s', () => {
  // The audit's first 20 rounds (seed 1): 67 gated generation points whose layers issue V streams
  // around the bubble. On the simulator's timeline 2.08 heads a boundary issue their V stream
  // between the gated head's last key and the next admission; the model counts 2.30
  // (finalize.ts bubbleValueHeads), 0.87 heads off a point on average, where the gated head's own
  // V stream alone (the model before) is 1.32 off. 0.95 V streams issued before the last key are
  // still running at it: the fetcher's value-side backlog, which the model does not count (1.43
  // before the fetcher's round-robin slowed the streams already on the channels: the V streams
  // issued beside the last key streams now end with them; 65 points, 2.15 and 2.25 heads then).
  const pts = gateBubble(auditGated(20));
  const s = bubbleSummary(pts);
  assert.equal(s.points, 67);
  for (const p of pts) assert.ok(p.model >= 1 && p.model <= p.inFlight, `${p.workload}: ${p.model}`);
  assert.ok(Math.abs(s.issued - s.model) < 0.25, `means ${s.issued} (simulator) vs ${s.model} (model)`);
  assert.ok(s.errModel < s.errOwnV - 0.3, `|simulator − model| ${s.errModel}, own V alone ${s.errOwnV}`);
  assert.ok(s.running > 0.5 && s.running < 1.5, `V streams running at the last key ${s.running}`);
});

test('the timeline\'s --set: hw.* settings change the audit point\'s hardware, validated as simulate --set validates them', () => {
  const [p] = auditPoints('cycle', 1, 1, 6);
  const hw = withHardware(p, ['hw.gateTokenTopk=false', 'hw.inFlight=4']);
  assert.equal(hw.gateTokenTopk, false);
  assert.equal(hw.inFlight, 4);
  assert.deepEqual({ ...hw, gateTokenTopk: p.hw.gateTokenTopk, inFlight: p.hw.inFlight }, p.hw, 'nothing else changes');
  assert.deepEqual(withHardware(p, []), p.hw);
  assert.throws(() => withHardware(p, ['hw.gateTokenTop=false']), /unknown parameter "hw\.gateTokenTop" \(did you mean "hw\.gateTokenTopk"\?\)/);
  assert.throws(() => withHardware(p, ['hw.inFlight=0']), /--set hw\.inFlight=0: hw\.inFlight: /);
  assert.throws(() => withHardware(p, ['algo.tokenKeep=0.5']), /only hw\.\* settings here/);
});

test('the streams\' extra over their bare time (scripts/head-timeline.ts recordStreamExtras): never negative without refresh, none for the first stream on an idle DRAM, no key-side wait with one head in flight', () => {
  const p = [...auditPoints('cycle', 1, 1, 1)].find((x) => x.c.w.stage === 'generation')!;
  const issue = DramFrontEnd.prototype.issue;
  for (const inFlight of [1, 2]) {
    const hw = { ...p.hw, inFlight, dramRefresh: false };
    let cycles = 0;
    const x = recordStreamExtras(() => {
      cycles = simulateCycle(p.c.w, hw, { seed: 1 }).cycles;
    });
    assert.equal(DramFrontEnd.prototype.issue, issue, 'the fetcher is restored');
    assert.equal(simulateCycle(p.c.w, hw, { seed: 1 }).cycles, cycles, 'recording does not change the run');
    // one key stream and one value stream per head (no LSB refetch at this point's msb/lsb)
    assert.equal(x.count[0], p.c.w.requests.length);
    assert.equal(x.count[2], p.c.w.requests.length);
    // a stream ends no sooner than its busiest channel allows, and the very first (a key stream) exactly then
    for (const k of [0, 2] as const) assert.ok(x.least[k] >= -1e-9, `kind ${k}: least ${x.least[k]}`);
    assert.ok(Math.abs(x.least[0]) < 1e-9, `the first key stream: ${x.least[0]}`);
    // one head in flight: its key side is the only one on the fetcher's key side (it decides before the next is admitted)
    if (inFlight === 1) assert.equal(x.ownWait[0] + x.ownWait[1], 0);
    else assert.ok(x.extra[0] > 0 && x.extra[2] > 0, 'two in flight: the sides share the channels');
  }
});
