/**
 * A synthetic run (RunJson + PointRow[]) with plausible SpAtten-like numbers, for tests, demos and
 * timing the report without running a sweep. Deterministic for a given size and seed.
 */
import type { Objective, Params } from '../core/results.ts';
import type { Highlight, PointRow, RunJson } from '../core/results.ts';
import { mulberry32 } from '../sim/rng.ts';
import { dominates } from '../core/pareto.ts';

export interface SyntheticOptions {
  n?: number;
  seed?: number;
  name?: string;
  yaml?: string;
  objectives?: Objective[];
  /** Fraction of failed evaluations (default 0.02). */
  failRate?: number;
  /** Include the accuracy metric (default true). */
  accuracy?: boolean;
}

const rng = mulberry32;

export function syntheticRun(o: SyntheticOptions = {}): { run: RunJson; points: PointRow[] } {
  const n = o.n ?? 200;
  const r = rng(o.seed ?? 7);
  const withAcc = o.accuracy !== false;
  const objectives: Objective[] = o.objectives ?? [
    { metric: 'latency_s', goal: 'min' },
    { metric: 'energy_j', goal: 'min' },
    ...(withAcc ? [{ metric: 'accuracy', goal: 'max' as const }] : []),
  ];
  const choices: Record<string, number[]> = {
    'hw.topkParallelism': [1, 2, 4, 8, 16, 32],
    'hw.dramChannels': [4, 8, 16, 32],
    'hw.multipliers': [128, 256, 512, 1024],
    'algo.tokenKeep': [1, 0.75, 0.5, 0.4, 0.3, 0.25, 0.2, 0.15],
    'algo.headKeep': [1, 0.9, 0.8, 0.7, 0.6],
    'quant.bits': [4, 6, 8, 12],
  };
  const parameters = Object.keys(choices);
  const metrics = ['latency_s', 'energy_j', 'dram_bytes', 'area_mm2', 'power_w', 'gops', 'cycles', ...(withAcc ? ['accuracy'] : [])];
  const points: PointRow[] = [];
  for (let id = 0; id < n; id++) {
    const params: Params = {};
    for (const k of parameters) params[k] = choices[k][Math.floor(r() * choices[k].length)];
    const p = params as Record<string, number>;
    const work = p['algo.tokenKeep'] * p['algo.headKeep'] * 2e9;
    const rate = Math.min(p['hw.multipliers'] * 1e9, p['hw.dramChannels'] * 8e9 * (16 / p['quant.bits'])) * Math.min(1, p['hw.topkParallelism'] / 16);
    const latency = (work / rate) * (0.8 + 0.4 * r());
    const area = 0.3 + p['hw.multipliers'] * 0.0012 + p['hw.topkParallelism'] * 0.004 + p['hw.dramChannels'] * 0.01;
    const power = area * 0.9 * (0.9 + 0.2 * r());
    const energy = power * latency + work * p['quant.bits'] * 1e-14;
    const acc = 0.92 - 0.5 * Math.max(0, 1 / p['algo.tokenKeep'] - 4) * 0.05 - 0.6 * Math.max(0, 1 / p['algo.headKeep'] - 1.2) - (p['quant.bits'] < 6 ? 0.04 : 0) + 0.01 * (r() - 0.5);
    const failed = r() < (o.failRate ?? 0.02);
    const m: Record<string, number> = failed
      ? Object.fromEntries(metrics.map((k) => [k, NaN]))
      : {
          latency_s: latency,
          energy_j: energy,
          dram_bytes: Math.round(work * p['quant.bits'] / 16),
          area_mm2: area,
          power_w: power,
          gops: work / latency / 1e9,
          cycles: Math.round(latency * 1e9),
          ...(withAcc ? { accuracy: acc } : {}),
        };
    points.push({
      id,
      params,
      metrics: m,
      feasible: !failed && area <= 1.6,
      pareto: false,
      status: failed ? 'failed' : 'ok',
      error: failed ? (id % 2 ? 'cycle model: deadlock at stage "topk" <fifo full>' : 'out of memory & retried') : '',
      fidelity: 'analytical',
    });
  }
  const vec = (p: PointRow) => objectives.map((ob) => (ob.goal === 'min' ? p.metrics[ob.metric] : -p.metrics[ob.metric]));
  const feas = points.filter((p) => p.feasible);
  for (const p of feas) p.pareto = !feas.some((q) => q !== p && dominates(vec(q), vec(p)));
  const front = feas.filter((p) => p.pareto);
  const pickBest = (ob: Objective) => front.slice().sort((a, b) => (ob.goal === 'min' ? 1 : -1) * (a.metrics[ob.metric] - b.metrics[ob.metric]))[0];
  const highlight = (p: PointRow, label: string): Highlight => {
    const c = p.metrics.cycles;
    return {
      id: p.id,
      label,
      params: p.params,
      metrics: p.metrics,
      stages: { dram: c * 0.8, qk: c * 0.55, softmax: c * 0.3, topk: c * 0.45, pv: c * 0.5, overhead: c * 0.05 },
      energy: { dram: p.metrics.energy_j * 0.55, keySram: p.metrics.energy_j * 0.1, valueSram: p.metrics.energy_j * 0.08, qk: p.metrics.energy_j * 0.1, pv: p.metrics.energy_j * 0.08, softmax: p.metrics.energy_j * 0.03, topk: p.metrics.energy_j * 0.02, fetcher: p.metrics.energy_j * 0.02, others: p.metrics.energy_j * 0.01, leakage: p.metrics.energy_j * 0.01 },
      area: { qk: p.metrics.area_mm2 * 0.35, pv: p.metrics.area_mm2 * 0.3, fetcher: p.metrics.area_mm2 * 0.1, softmax: p.metrics.area_mm2 * 0.08, topk: p.metrics.area_mm2 * 0.12, others: p.metrics.area_mm2 * 0.05 },
    };
  };
  const highlights: Highlight[] = front.length ? [highlight(front[Math.floor(front.length / 2)], 'knee'), ...objectives.map((ob) => highlight(pickBest(ob), `best ${ob.metric}`))] : [];
  const hypervolume = [];
  for (let e = 20, hv = 0.2; e <= n; e += 20, hv += (0.9 - hv) * 0.3) hypervolume.push({ evals: e, hv });
  const ok = points.filter((p) => p.status === 'ok').length;
  const run: RunJson = {
    name: o.name ?? 'synthetic',
    space: {},
    yaml: o.yaml ?? 'name: synthetic\nsearch: {driver: random, budget: 200}\n',
    spaceFile: 'spaces/synthetic.yaml',
    model: 'analytical',
    objectives,
    constraints: ['area_mm2 <= 1.6'],
    parameters,
    metrics,
    seed: o.seed ?? 7,
    driver: 'random',
    counts: { total: n, ok, failed: n - ok, feasible: feas.length, pareto: front.length },
    startedAt: '2026-01-01T00:00:00.000Z',
    finishedAt: '2026-01-01T00:01:05.000Z',
    wallSeconds: 65.2,
    versions: { 'spatten-dse': '0.1.0', node: 'v20' },
    provenance: { energyAreaTables: 'synthetic' },
    hypervolume,
    hvReference: objectives.map(() => 1.1),
    highlights,
  };
  return { run, points };
}
