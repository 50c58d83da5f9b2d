/**
 * The evidence tools of sim/cycle/README.md's analytical-vs-cycle readings: the cycle audit's
 * agreement check alone (scripts/monotone-audit.ts `agreement`, `--agreement`) and the simulator's
 * per-head timeline (scripts/head-timeline.ts `recordHeadTimes`).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { agreement, audit, auditPoints } from '../scripts/monotone-audit.ts';
import { recordHeadTimes } from '../scripts/head-timeline.ts';
import { simulateCycle } from '../sim/cycle/index.ts';
import { RequestScheduler } from '../sim/cycle/scheduler.ts';

test('--agreement checks the full cycle audit\'s points: the same ratios outside 10% as its disagreements', () => {
  // the first round's 18 points (one of them, gpt2-medium generation's point 4, 10.2% apart)
  const full = audit({ model: 'cycle', seed: 1, points: 6, algos: 1, tol: 0, budgetS: Infinity });
  const { rows, summary } = agreement(1, 1, 6);
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
