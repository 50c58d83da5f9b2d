/**
 * Generation's in-order bound, fast path (sim/hw/analytical.ts; the reference loop is
 * reference.ts `generationInOrder`). A generation head leaves the front of the pipeline
 * (admission → final decision) and enters the local-V top-k, the V fetch and prob·V strictly in
 * request order (sim/cycle/pipeline.ts `downstream`, `tryPV`; RTL stage 12's FIFO), so the run
 * is a permutation flow shop (`runsMakespan`) of four stages: the heads-in-flight window's slot
 * (pipeline-math.ts `frontSlot`), Q·K/softmax, the local-V engine, and prob·V with its V stream
 * and its value-buffer slot (`valueSlot`). Its longest path is what the stage sums miss when the
 * bottleneck moves along the run: the dense front layers of a
 * token-pruned workload (tokenFrontFrac) hold few heads in a small key buffer and keep the
 * local-V engine waiting, the pruned layers after them are the engine's, and the idle time of the
 * first part is not made up in the second (gpt2-medium 128 + 1, tokenKeep 0.2, valueKeep 0.8, key
 * SRAM 49 KB: 9,466 cycles in the simulator, its local-V engine idle 2,833 cycles in layers 0–3;
 * 7,641 analytical without this bound; sim/cycle/README.md).
 */
import type { HardwareConfig } from '../schema.ts';
import { softmaxLanes } from '../schema.ts';
import { MAX_ALLOCS, bufferLines, frontSlot, headLines, keyHeadsFit, portStream, valueHeadsFit, valueHold } from './pipeline-math.ts';
import type { DramSums, PreparedWorkload, TopkSums } from './prepare.ts';
import type { FetchLatencies } from './pipeline-math.ts';
import { classPv, classVBytes, classValueFit } from './value-classes.ts';
import { classRows, float64Views } from './window.ts';

/**
 * Whether a generation workload prunes (local-V, token or head top-k): the in-order bound is
 * computed for such workloads only. Without pruning a generation workload's classes are its steps,
 * which differ by a key a step, so no bottleneck moves along the run and the bound adds at most a
 * few heads' time at the steps' boundaries (computed there, it moved 3 of the cycle audit's
 * unpruned points, by at most 0.09%; sim/cycle/README.md), at a cost the fast path's hardware
 * sweeps would pay on every point.
 */
export function prunes(p: PreparedWorkload): boolean {
  return p.tokens.length > 0 || p.headRuns.length > 0 || p.classes.some((c) => c.localV || c.topk >= 0);
}

/** The flow shop's stages: the heads-in-flight window, Q·K/softmax, the local-V engine, prob·V with the V stream. */
export const FLOW_STAGES = 4;

/**
 * The longest path of the permutation flow shop whose jobs are `runs` runs of identical heads
 * (class runCls[r], runLen[r] heads; `p[s][c]` the time of stage s for a head of class c), from
 * time 0 to the last head's last stage. Within a run the path that enters at stage r leaves at
 * stage s after Σ_{q=r..s} p_q and its other heads at the run's slowest stage in between, so the
 * run's exit times are E'[s] = max_{r≤s} (E[r] + Σ_{q=r..s} p_q + (m − 1)·max_{q=r..s} p_q), E the
 * previous run's (exact for identical heads). Four stages, unrolled.
 */
export function runsMakespan(runCls: ArrayLike<number>, runLen: ArrayLike<number>, runs: number, p0: ArrayLike<number>, p1: ArrayLike<number>, p2: ArrayLike<number>, p3: ArrayLike<number>): number {
  let e0 = 0;
  let e1 = 0;
  let e2 = 0;
  let e3 = 0;
  for (let r = 0; r < runs; r++) {
    const c = runCls[r];
    const m1 = runLen[r] - 1;
    const a = p0[c];
    const b = p1[c];
    const d = p2[c];
    const f = p3[c];
    const fd = Math.max(d, f);
    const fdb = Math.max(fd, b);
    const all = Math.max(fdb, a);
    const db = Math.max(d, b);
    const ba = Math.max(b, a);
    const dba = Math.max(db, a);
    const n3 = Math.max(e3 + f + m1 * f, e2 + d + f + m1 * fd, e1 + b + d + f + m1 * fdb, e0 + a + b + d + f + m1 * all);
    const n2 = Math.max(e2 + d + m1 * d, e1 + b + d + m1 * db, e0 + a + b + d + m1 * dba);
    const n1 = Math.max(e1 + b + m1 * b, e0 + a + b + m1 * ba);
    e0 += a + m1 * a;
    e1 = n1;
    e2 = n2;
    e3 = n3;
  }
  return e3;
}

/**
 * The per-class inputs of the bound that change with one knob each, kept for the last value of
 * it and the last workload (`owner`; one set of arrays for every workload, so a sweep over
 * algorithm knobs, a new workload a point, allocates nothing here): Q·K/softmax of a head
 * (qkMultipliers, softmax lanes), its key lines (qkMultipliers); and the rows of the current
 * evaluation. (prob·V, the value heads that fit and the V bytes: value-classes.ts, shared with the
 * value window.)
 */
interface FlowCache {
  owner: PreparedWorkload | undefined;
  xKey: number;
  klM: number;
  x: Float64Array;
  kl: Float64Array;
  slot: Float64Array;
  u: Float64Array;
}
const none = new Float64Array(0);
const fc: FlowCache = { owner: undefined, xKey: NaN, klM: NaN, x: none, kl: none, slot: none, u: none };

function cacheFor(p: PreparedWorkload): FlowCache {
  if (fc.owner === p) return fc;
  const C = p.classes.length;
  if (fc.x.length < C) [fc.x, fc.kl, fc.slot, fc.u] = float64Views(4, Math.max(C, 2 * fc.x.length));
  fc.owner = p;
  fc.xKey = fc.klM = NaN;
  return fc;
}

/**
 * The in-order bound of a generation workload on one design (cycles, without the fill/drain
 * latencies the caller adds): per class the window's slot, Q·K/softmax, the local-V engine's busy
 * cycles and `valueSlot` (prob·V, the V stream at the DRAM and the fetcher ports, the value hold),
 * over the workload's runs in request order. `lKey`: a key pass's fixed latency (fetch, Q·K,
 * softmax); `stretch`: what all-bank refresh stretches the window's slots by (fast.ts
 * windowAtShare, pipeline-math.ts refreshStretch), the slots here too.
 */
export function generationInOrder(p: PreparedWorkload, hw: HardwareConfig, dram: DramSums, tk: TopkSums, lKey: number, stretch: number): number {
  const runs = p.runCls.length;
  if (runs === 0) return 0;
  const cs = p.classes;
  const C = cs.length;
  const fc = cacheFor(p);
  const M = hw.qkMultipliers;
  const lanes = softmaxLanes(hw);
  const xKey = M * 131072 + lanes;
  if (fc.xKey !== xKey) {
    const rq = classRows(p, false, M);
    const rs = classRows(p, true, lanes);
    for (let i = 0; i < C; i++) fc.x[i] = (1 + cs[i].p) * Math.max(rq[i], rs[i]);
    fc.xKey = xKey;
  }
  if (fc.klM !== M) {
    for (let i = 0; i < C; i++) fc.kl[i] = headLines(cs[i].k, M, cs[i].D);
    fc.klM = M;
  }
  const pv = classPv(p, hw.pvMultipliers);
  // the value heads that fit matter where one head's values fill the buffer: the largest head's first
  const vLines = bufferLines(hw.valueSramKB, hw.pvMultipliers, hw.wordBits);
  const nv = valueHeadsFit(hw, vLines, p.maxValues, p.D, p.requests, false) > 1 ? undefined : classValueFit(p, hw, vLines);
  const vb = classVBytes(p);
  const kLines = bufferLines(hw.keySramKB, M, hw.wordBits);
  const cap = Math.min(hw.inFlight, MAX_ALLOCS, p.requests);
  const { x, kl, slot, u } = fc;
  const vw = dram.vw;
  const group = p.dramGroup;
  const lat = dram.lat;
  for (let i = 0; i < C; i++) {
    const n = Math.max(1, keyHeadsFit(kl[i], kLines, cap)); // (pipeline-math.ts headsFit's generation case)
    slot[i] = stretch * frontSlot(n, 1 + cs[i].p, lKey, x[i]);
    const v = portStream(vw[group[i]], vb[i], hw);
    u[i] = nv === undefined ? Math.max(pv[i], v) : valueSlot(lat, v, pv[i], nv[i]);
  }
  return firstHead(runsMakespan(p.runCls, p.runLen, runs, slot, x, tk.byClass, u), slot[p.runCls[0]]);
}

/**
 * The last stage's time of a head: prob·V or its V stream (at the whole DRAM: a lower bound),
 * whichever is longer; with a value buffer that holds one head's values at a time (`nV` = 1), the
 * head's whole value hold (pipeline-math.ts valueHold). Its value lines are allocated once the
 * previous head's prob·V has freed them, so each head pays the value side's fixed latency between
 * two prob·V's: PV end_i = max(PV end_i−1, V ids out_i) + hold_i, this stage of the flow shop
 * exactly (sim/cycle/pipeline.ts tryValloc, tryPV). The value window (value-window.ts) sums the
 * same holds over the whole run and prob·V its work, so a run whose dense front layers are
 * hold-bound and whose pruned layers are prob·V-bound paid only the larger total. A buffer with
 * room for more heads bounds the run's throughput (hold/nV a head, the value window's sum), not
 * each head's time: as a stage here that rate would delay the run's last heads, which find the
 * buffer free, by what the simulator does not.
 */
export function valueSlot(lat: FetchLatencies, cV: number, pv: number, nV: number): number {
  return nV > 1 ? Math.max(pv, cV) : valueHold(lat, cV, pv);
}

/**
 * The bound less the first head's window slot: its admission and fixed latencies are the fill the
 * caller adds (Sums.drain), and every path of the flow shop starts with it (a lone head: fill +
 * Q·K/softmax + its top-k and prob·V, not its latencies twice).
 */
export function firstHead(bound: number, slot: number): number {
  return bound > 0 ? bound - slot : 0;
}
