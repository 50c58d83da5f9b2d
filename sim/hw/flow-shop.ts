/**
 * The in-order bound of a summarization workload (sim/hw/finalize.ts adds it with a max).
 *
 * SpAtten's heads leave the key side and enter prob·V strictly in request order (spec
 * spatten-official-hardware.md stage 12, "Ordering": the requant reorder FIFO holds later rows
 * until a requantized request's second pass is back), and a head that needs its LSBs is
 * re-issued at admission (stage 2), behind the heads already admitted. Three in-order stages then
 * bound the run: the DRAM streams (d per head), the key side (Q·K / softmax, q per head, (1+p)
 * passes expected) and the downstream (prob·V / local-V top-k, v per head). Without buffers
 * limiting them, the last prob·V ends at the longest path of the permutation flow shop,
 *     C_Q(j)  = max_{h≤j} (D_{≤h} + Q_{h..j})        (key side of head j done)
 *     base    = max_j (C_Q(j) + V_{≥j})
 * and a head i that refetches decides only after the heads in flight behind it have had their
 * key-side passes, then its own LSB pass (l_i; C_Q already holds it with weight p_i):
 *     B(i)    = C_Q(i + n_i − 1) + (1 − p_i)·l_i + V_{≥i}.
 * Each head refetches independently with its probability p_i (the workload's refetch rate), so
 * the expected run time is E[max(base, max_{i refetches} B(i))], exact for independent draws:
 * sort the B(i) in decreasing order; the k-th counts when it fires and none above it did.
 *
 * The workload is given as runs of identical heads (class c, length m), in request order; within
 * a run C_Q and V_{≥j} are linear in j, so `base` and C_Q(m) need only the run ends.
 */

/** Per-class inputs (one head of the class) and the runs of the request order. */
export interface FlowInput {
  /** Class of each run, and its length in heads. */
  runCls: ArrayLike<number>;
  runLen: ArrayLike<number>;
  runs: number;
  /** Per class: DRAM cycles, expected key-side cycles ((1+p) passes), one LSB pass, downstream cycles, refetch probability, heads in flight. */
  d: ArrayLike<number>;
  q: ArrayLike<number>;
  l: ArrayLike<number>;
  v: ArrayLike<number>;
  p: ArrayLike<number>;
  n: ArrayLike<number>;
}

/** Per-run scratch: first head, C_Q entry term A, D before the run, V before the run. */
let rStart = new Float64Array(64);
let rA = new Float64Array(64);
let rD = new Float64Array(64);
let rV = new Float64Array(64);
let candB = new Float64Array(256);
let candP = new Float64Array(256);
let order = new Int32Array(256);

function ensureRuns(R: number): void {
  if (rStart.length >= R) return;
  rStart = new Float64Array(R);
  rA = new Float64Array(R);
  rD = new Float64Array(R);
  rV = new Float64Array(R);
}

function ensureCands(N: number): void {
  if (candB.length >= N) return;
  candB = new Float64Array(N);
  candP = new Float64Array(N);
  order = new Int32Array(N);
}

/** C_Q of head j (0-based) inside run r: max(A + k·q, D_before + k·d + q), k = j − start + 1. */
function cqAt(f: FlowInput, r: number, j: number): number {
  const c = f.runCls[r];
  const k = j - rStart[r] + 1;
  return Math.max(rA[r] + k * f.q[c], rD[r] + k * f.d[c] + f.q[c]);
}

/** The run holding head j (binary search over the run starts). */
function runOf(runs: number, j: number): number {
  let lo = 0;
  let hi = runs - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (rStart[mid] <= j) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** What `walkRuns` found: heads, the no-refetch bound, Σ downstream cycles. */
const walk = { heads: 0, base: 0, vTot: 0 };

/** Walks the runs once: fills the per-run scratch and `walk`. */
function walkRuns(f: FlowInput): void {
  ensureRuns(f.runs);
  let vTot = 0;
  for (let r = 0; r < f.runs; r++) vTot += f.runLen[r] * f.v[f.runCls[r]];
  let start = 0;
  let dSum = 0;
  let vSum = 0;
  let cqPrev = 0;
  let base = 0;
  for (let r = 0; r < f.runs; r++) {
    const c = f.runCls[r];
    const m = f.runLen[r];
    rStart[r] = start;
    rD[r] = dSum;
    rV[r] = vSum;
    rA[r] = Math.max(cqPrev, dSum + f.d[c]);
    // C_Q(j) + V_{≥j} is a max of two linear functions of j inside the run: its ends suffice
    const cqEnd = cqAt(f, r, start + m - 1);
    base = Math.max(base, cqAt(f, r, start) + vTot - vSum, cqEnd + vTot - vSum - (m - 1) * f.v[c]);
    cqPrev = cqEnd;
    start += m;
    dSum += m * f.d[c];
    vSum += m * f.v[c];
  }
  walk.heads = start;
  walk.base = base;
  walk.vTot = vTot;
}

/** E[max(base, max over refetching heads of B(i))] (cycles, without the fill/drain latencies). */
export function inOrderBound(f: FlowInput): number {
  if (f.runs === 0) return 0;
  walkRuns(f);
  const { heads: N, base, vTot } = walk;
  ensureCands(N);
  let nc = 0;
  for (let r = 0; r < f.runs; r++) {
    const c = f.runCls[r];
    if (!(f.p[c] > 0)) continue;
    for (let k = 0; k < f.runLen[r]; k++) {
      const i = rStart[r] + k;
      const m = Math.min(N - 1, i + f.n[c] - 1);
      // C_Q counts head i's second pass with weight p_i; given that it refetches, it weighs 1
      const b = cqAt(f, runOf(f.runs, m), m) + (1 - f.p[c]) * f.l[c] + vTot - rV[r] - k * f.v[c];
      if (b <= base) continue;
      candB[nc] = b;
      candP[nc] = Math.min(1, f.p[c]);
      order[nc] = nc;
      nc++;
    }
  }
  if (nc === 0) return base;
  const ord = order.subarray(0, nc).sort((x, y) => candB[y] - candB[x] || x - y);
  let e = 0;
  let none = 1;
  for (let k = 0; k < nc; k++) {
    const j = ord[k];
    e += none * candP[j] * candB[j];
    none *= 1 - candP[j];
  }
  return e + none * base;
}
