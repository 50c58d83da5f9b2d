/**
 * Per-request quantities shared by the reference and the fast path of the analytical model
 * (sim/hw/analytical.ts): head top-k runs, request classes, the SRAM-independent core.
 */
import type { HeadRequest, Workload } from '../workload/types.ts';
import { keysSeen } from './pipeline-math.ts';

/** Head top-k runs: per (iteration, layer), heads present and heads kept by the next layer. */
export function headTopkRuns(w: Workload): Array<{ n: number; k: number }> {
  const reqs = w.requests;
  // (iteration, layer) as one number when both are small non-negative integers (always, for generated workloads)
  const small = reqs.every((r) => Number.isInteger(r.iteration) && Number.isInteger(r.layer) && r.iteration >= 0 && r.layer >= 0 && r.iteration < 2 ** 30 && r.layer < 2 ** 20);
  const key = small ? (it: number, l: number): number | string => it * 2 ** 21 + l : (it: number, l: number): number | string => `${it}:${l}`;
  const count = new Map<number | string, number>();
  const order: Array<[number, number]> = [];
  // Requests come grouped by (iteration, layer); count each run, then merge runs by key.
  let i = 0;
  while (i < reqs.length) {
    const it = reqs[i].iteration;
    const l = reqs[i].layer;
    let j = i + 1;
    while (j < reqs.length && reqs[j].iteration === it && reqs[j].layer === l) j++;
    const kk = key(it, l);
    const c = count.get(kk);
    if (c === undefined) {
      count.set(kk, j - i);
      order.push([it, l]);
    } else count.set(kk, c + (j - i));
    i = j;
  }
  const runs: Array<{ n: number; k: number }> = [];
  for (const [it, l] of order) {
    const n = count.get(key(it, l))!;
    const next = count.get(key(it, l + 1));
    if (next !== undefined && next < n) runs.push({ n, k: next });
  }
  return runs;
}

/**
 * Σ over the requests with a token top-k (`topk` ≥ 0) of the requests of their (iteration, layer):
 * the heads of the layers a gated boundary follows (finalize.ts gatedGeneration). Requests come
 * grouped by (iteration, layer).
 */
export function gatedLayerHeads(reqs: readonly HeadRequest[]): number {
  let sum = 0;
  for (let i = 0; i < reqs.length; ) {
    const { iteration, layer } = reqs[i];
    let j = i;
    let gated = 0;
    for (; j < reqs.length && reqs[j].iteration === iteration && reqs[j].layer === layer; j++) if (reqs[j].topk >= 0) gated++;
    sum += gated * (j - i);
    i = j;
  }
  return sum;
}

/** True when two requests belong to the same class (identical cost-relevant fields). */
export function sameClass(a: HeadRequest, b: HeadRequest): boolean {
  return (
    a.L === b.L && a.queries === b.queries && a.keys === b.keys && a.valuesFetched === b.valuesFetched && a.valuesPerQuery === b.valuesPerQuery &&
    a.keyBits === b.keyBits && a.lsbBits === b.lsbBits && a.refetch === b.refetch && a.valueBits === b.valueBits &&
    a.queryBits === b.queryBits && a.topk === b.topk && a.causal === b.causal && a.D === b.D
  );
}

/** Per-request quantities that do not depend on the SRAM size (shared by both paths). */
export function requestCore(r: HeadRequest) {
  return classCore(r.queries, r.keys, r.valuesPerQuery, r.causal);
}

/** `requestCore` of a request with q queries, k keys, vq values per query. */
export function classCore(q: number, k: number, vq: number, causal: boolean) {
  const seen = keysSeen(q, k, causal);
  const rowN = q > 0 ? seen / q : 0;
  const localV = vq < k;
  // Causal rows: mean row length and proportional kept values (documented approximation).
  const vRow = causal ? (vq * rowN) / k : vq;
  const tkN = Math.round(rowN);
  const tkK = Math.round(vRow);
  return { seen, rowN, localV, vRow, tkN, tkK };
}
