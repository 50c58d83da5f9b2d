/**
 * The cycle simulator's timeline, head by head, on one point of the cycle audit
 * (scripts/monotone-audit.ts `auditPoints`): when each head request is admitted, when its key
 * stream reaches the fetcher and ends, its LSB pass's, its final decision, and its value stream's;
 * and beside them the analytical model's latency bounds and the simulator's admission account
 * (core/latency-bounds.ts, core/admission-account.ts). It is how the
 * analytical model's windows are checked against what the simulator does (sim/cycle/README.md,
 * "The key side's share, measured against the simulator's timeline").
 *
 *   node --import tsx scripts/head-timeline.ts --round 190 --point 1 --workload gpt2-small [--heads 0-3,48-53] [--seed 1] [--points 6] [--set hw.X=value …]
 *
 * (`--seed` and `--points` are the audit's: a point is found by its round and place in a draw of that
 * many. `--set hw.X=value`, repeatable, changes the point's hardware, as `simulate --set` does, e.g.
 * `--set hw.gateTokenTopk=false`; the workload and the algorithm stay the point's.)
 *
 * It also prints how much later than their bare time the simulator's key, LSB and value streams
 * end on average, and how much of that is waiting behind their own side (`recordStreamExtras`; the
 * rest is their overlap with the other side, refresh, and the shared ports).
 *
 * The times are recorded by wrapping the scheduler's, the pipeline's and the fetcher's methods for
 * one run (restored after it), so the simulator itself carries no recording code.
 */
import { parseArgs } from 'node:util';
import { RequestScheduler } from '../sim/cycle/scheduler.ts';
import { HeadPipeline } from '../sim/cycle/pipeline.ts';
import { DramFrontEnd } from '../sim/cycle/fetcher.ts';
import { simulateCycle } from '../sim/cycle/index.ts';
import { analyticalModel } from '../sim/hw/analytical.ts';
import { boundsText } from '../core/latency-bounds.ts';
import { CYCLE_POINTS, auditPoints, describe, type AuditPoint } from './monotone-audit.ts';
import { parseSets } from '../dse/params.ts';
import { applyParams } from '../dse/evaluate.ts';
import { InputError } from '../dse/errors.ts';
import type { HardwareConfig } from '../sim/schema.ts';
import type { Stream } from '../sim/cycle/requests.ts';

/** One head request's times (cycles); absent: the event did not happen (no LSB pass, no value stream). */
export type HeadTimes = Partial<Record<'admit' | 'keyIssue' | 'keyEnd' | 'lsbIssue' | 'lsbEnd' | 'decision' | 'valueIssue' | 'valueEnd', number>>;

const STREAM = ['key', 'lsb', 'value'] as const;

/** Runs `run` with the scheduler's and the pipeline's methods wrapped; returns each head's first time of each event. */
export function recordHeadTimes(run: () => void): Map<number, HeadTimes> {
  const times = new Map<number, HeadTimes>();
  const at = (i: number, k: keyof HeadTimes, t: number) => {
    const o = times.get(i) ?? {};
    if (o[k] === undefined) o[k] = t;
    times.set(i, o);
  };
  const S = RequestScheduler.prototype;
  const P = HeadPipeline.prototype;
  const saved = { admit: S.admit, fetch: P.fetch, onStreamDone: P.onStreamDone, onDecision: P.onDecision };
  S.admit = function (this: RequestScheduler, now: number) {
    const next = this.nextAdmit;
    saved.admit.call(this, now);
    if (this.nextAdmit > next) at(next, 'admit', now);
  };
  P.fetch = function (this: HeadPipeline, now: number, kind: 0 | 1 | 2, i: number) {
    at(i, `${STREAM[kind]}Issue` as keyof HeadTimes, now);
    saved.fetch.call(this, now, kind, i);
  };
  P.onStreamDone = function (this: HeadPipeline, kind: number, i: number, now: number) {
    at(i, `${STREAM[kind]}End` as keyof HeadTimes, now);
    saved.onStreamDone.call(this, kind, i, now);
  };
  P.onDecision = function (this: HeadPipeline, i: number, now: number) {
    at(i, 'decision', now);
    saved.onDecision.call(this, i, now);
  };
  try {
    run();
  } finally {
    Object.assign(S, { admit: saved.admit });
    Object.assign(P, { fetch: saved.fetch, onStreamDone: saved.onStreamDone, onDecision: saved.onDecision });
  }
  return times;
}

/** Per stream kind (key, LSB, value): streams issued, and Σ over them of how long each ended after its bare time and of its wait behind its own side. */
export interface StreamExtras {
  count: [number, number, number];
  /** Σ (end − (issue + bare time + access latency)), the bare time the larger of its busiest channel's occupancy and its bursts at the ports: its wait behind its own side, its overlap with the other side, refresh, the ports shared with the other side. */
  extra: [number, number, number];
  /** Σ (its side's latest channel end at issue − issue)⁺: how long the side was still busy with earlier streams. */
  ownWait: [number, number, number];
  /** The least extra of a stream of each kind (Infinity: none issued). */
  least: [number, number, number];
}

/**
 * Runs `run` with the fetcher's `issue` wrapped (sim/cycle/fetcher.ts): for every stream, how much
 * later than its bare time it ends (its busiest channel's occupancy, or its bursts at the ports if
 * longer, after the access latency; its end as the run left it, `endOf`: streams of the other side
 * issued while it is fetched slow it too), and how long its own side was still busy with earlier
 * streams when it was issued. The rest of the extra is its overlap with the other side's streams
 * (queued at its issue or issued while it is fetched), refresh, and the ports shared with the
 * other side.
 */
export function recordStreamExtras(run: () => void): StreamExtras {
  const out: StreamExtras = { count: [0, 0, 0], extra: [0, 0, 0], ownWait: [0, 0, 0], least: [Infinity, Infinity, Infinity] };
  const F = DramFrontEnd.prototype as unknown as { issue: (this: DramFrontEnd, at: number, s: Stream, slot?: number) => void };
  const saved = F.issue;
  const issued: { f: DramFrontEnd; slot: number; kind: 0 | 1 | 2; bare: number }[] = [];
  F.issue = function (this: DramFrontEnd, at: number, s: Stream, slot = -1) {
    const side = this as unknown as { maxK: number; maxV: number; ports: number };
    const busy = s.kind === 2 ? side.maxV : side.maxK;
    saved.call(this, at, s, slot);
    issued.push({ f: this, slot, kind: s.kind, bare: at + Math.max(s.maxOcc, s.bursts / side.ports) + s.firstLat - this.timing.tBurst });
    out.ownWait[s.kind] += Math.max(0, busy - at);
  };
  try {
    run();
  } finally {
    F.issue = saved;
  }
  for (const { f, slot, kind, bare } of issued) {
    const extra = f.endOf(slot) - bare;
    out.count[kind]++;
    out.extra[kind] += extra;
    out.least[kind] = Math.min(out.least[kind], extra);
  }
  return out;
}

/** "0-3,48-53" → [0, 1, 2, 3, 48, …, 53]. */
function headList(spec: string): number[] {
  return spec.split(',').flatMap((part) => {
    const [a, b] = part.split('-').map(Number);
    return Array.from({ length: (b ?? a) - a + 1 }, (_, k) => a + k);
  });
}

/** The audit point (round, point) of the first workload whose label contains `workload`, in an audit of `points` points per draw. */
function findPoint(seed: number, round: number, point: number, workload: string, points: number): AuditPoint {
  for (const p of auditPoints('cycle', seed, round + 1, points)) if (p.round === round && p.point === point && p.c.label.includes(workload)) return p;
  throw new Error(`no cycle audit point round ${round} point ${point} on a workload containing "${workload}"`);
}

/** The audit point's hardware with `--set hw.X=value` settings (dse/params.ts parseSets: each validated as `simulate --set` validates it); hw.* only. */
export function withHardware(p: AuditPoint, sets: string[]): HardwareConfig {
  const params = parseSets(sets);
  const other = Object.keys(params).find((k) => !k.startsWith('hw.'));
  if (other) throw new InputError(`--set ${other}: only hw.* settings here (the workload and the algorithm are the audit point's)`);
  return applyParams({ hw: p.hw, algo: p.c.algo, workload: p.c.wl }, params).hw;
}

function main(): void {
  const { values } = parseArgs({
    options: { round: { type: 'string', default: '0' }, point: { type: 'string', default: '0' }, workload: { type: 'string', default: 'gpt2-small' }, heads: { type: 'string', default: '0-3' }, seed: { type: 'string', default: '1' }, points: { type: 'string', default: String(CYCLE_POINTS) }, set: { type: 'string', multiple: true, default: [] } },
    strict: true,
  });
  const found = findPoint(Number(values.seed), Number(values.round), Number(values.point), values.workload, Number(values.points));
  let p: AuditPoint;
  try {
    p = { ...found, hw: withHardware(found, values.set) };
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    console.error(e.message);
    process.exit(2);
  }
  const clk = p.hw.clockGHz * 1e9;
  let cycles = 0;
  let account: Record<string, number> | undefined;
  let times = new Map<number, HeadTimes>();
  const extras = recordStreamExtras(() => {
    times = recordHeadTimes(() => {
      const r = simulateCycle(p.c.w, p.hw, { seed: 1 });
      cycles = r.latency_s * clk;
      account = r.extra;
    });
  });
  const a = analyticalModel(p.c.w, p.hw);
  console.log(`${p.c.label}: ${describe(p.c.algo, p.hw)}`);
  console.log(`cycle model ${Math.round(cycles)} cycles, analytical ${Math.round(a.cycles)} (cycle / analytical ${(cycles / a.cycles).toFixed(4)})`);
  console.log(`analytical ${boundsText(a.extra)}`);
  console.log(`simulator's ${boundsText(account)}`);
  const windows = [...times.values()].filter((t) => t.admit !== undefined && t.decision !== undefined).map((t) => t.decision! - t.admit!);
  const sum = windows.reduce((s, w) => s + w, 0);
  console.log(`simulator: ${windows.length} heads, window (admission → decision) ${(sum / windows.length).toFixed(1)} cycles on average, Σ window / inFlight ${Math.round(sum / p.hw.inFlight)}`);
  const per = (k: 0 | 1 | 2) => (extras.count[k] === 0 ? '–' : `${(extras.extra[k] / extras.count[k]).toFixed(1)} (${(extras.ownWait[k] / extras.count[k]).toFixed(1)} behind its own side)`);
  console.log(`simulator's streams end after their bare time (issue + busiest channel's occupancy, or bursts at the ports if longer, + access latency) by, on average: key ${per(0)}, LSB ${per(1)}, value ${per(2)} cycles`);
  console.log('head  admitted at  then (cycles after admission): key stream issued, ended; LSB pass issued, ended; decision; value stream issued, ended');
  for (const i of headList(values.heads)) {
    const t = times.get(i);
    if (!t || t.admit === undefined) continue;
    const rel = (k: keyof HeadTimes) => (t[k] === undefined ? '–' : (t[k]! - t.admit!).toFixed(1));
    console.log(`${String(i).padStart(4)}  ${t.admit.toFixed(2).padStart(11)}  key ${rel('keyIssue')} → ${rel('keyEnd')}; LSB ${rel('lsbIssue')} → ${rel('lsbEnd')}; decision ${rel('decision')}; value ${rel('valueIssue')} → ${rel('valueEnd')}`);
  }
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()!)) main();
