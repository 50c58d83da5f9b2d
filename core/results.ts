/**
 * Shapes of a run's outputs (results/<name>/): run.json and the rows of points.csv. The runner
 * (dse/) writes them, the report (reports/) reads them; nothing else is needed to regenerate a
 * report. run.json is described by one zod schema (`RunJsonSchema`): the type is inferred from it
 * and `parseRunJson` validates a file read back, filling harmless defaults for optional fields.
 */
import * as z from './zod.ts';

export type ParamValue = number | string;
export type Params = Record<string, ParamValue>;

/** An objective as the runner sees it: metric name and direction. */
export interface Objective {
  metric: string;
  goal: 'min' | 'max';
}

/**
 * The fields that define a space's workload, as run.json records it: a benchmark or a trace
 * fixes the model, stage and lengths, so the schema's defaults for those are left out.
 */
export function workloadDefinition(w: Record<string, unknown>): Record<string, unknown> {
  if (typeof w.trace !== 'string' && typeof w.benchmark !== 'string') return w;
  return Object.fromEntries(Object.entries(w).filter(([k]) => k === 'trace' || k === 'benchmark' || k === 'scope'));
}

/** One evaluated design point, as a row of points.csv (params and metrics flattened). */
export interface PointRow {
  id: number;
  params: Params;
  /** Metric name → value (NaN/absent when failed). */
  metrics: Record<string, number>;
  feasible: boolean;
  pareto: boolean;
  status: 'ok' | 'failed';
  error: string;
  /** Which model/fidelity produced the metrics, e.g. "analytical", "cycle", "accuracy:subset". */
  fidelity: string;
}

const num = (d = Number.NaN) => z.number().nullable().catch(d).transform((v) => v ?? d);
const str = () => z.string().catch('');
const record = <T extends z.ZodType>(v: T) => z.record(z.string(), v).catch({});
const NumRecord = z.record(z.string(), z.number().nullable().transform((v) => v ?? Number.NaN));

/** A highlighted point with its full breakdown (latency by stage, energy and area by module). */
export const HighlightSchema = z.object({
  id: z.number(),
  label: z.string(),
  params: z.record(z.string(), z.union([z.number(), z.string()])),
  metrics: NumRecord,
  stages: NumRecord,
  energy: NumRecord,
  area: NumRecord,
  /** DRAM bytes by tensor (Q, K MSB, K LSB, V), when the model reports them. */
  dram: NumRecord.optional(),
  /**
   * The point with each hardware resource doubled, one at a time (dse/relief.ts): per knob its
   * value before and after, latency and energy over the point's, area added (mm²) and the space's
   * hardware constraints it breaks. Absent from run.json files written before it was measured.
   */
  relief: z
    .array(z.object({ knob: z.string(), from: z.number(), to: z.number(), latencyRatio: num(), energyRatio: num(), areaDelta: num(), breaks: z.array(z.string()).optional() }))
    .optional()
    .catch(undefined),
  /** The latency bounds, cycles (core/latency-bounds.ts), when the run's hardware model reports them. Absent from run.json files written before them. */
  bounds: NumRecord.optional().catch(undefined),
});
export type Highlight = z.infer<typeof HighlightSchema>;

export const ObjectiveSchema = z.object({ metric: z.string(), goal: z.enum(['min', 'max']) });

export const RunJsonSchema = z.looseObject({
  name: z.string(),
  /** The space file as parsed (defaults filled in). */
  space: z.unknown(),
  /** The YAML text that produced the run. */
  yaml: str(),
  spaceFile: str(),
  /** The space's fidelity (`analytical`, `cycle`, `both`); `model` is its old name, kept for readers. */
  model: str(),
  fidelity: z.string().optional(),
  objectives: z.array(ObjectiveSchema),
  constraints: z.array(z.string()).catch([]),
  parameters: z.array(z.string()),
  metrics: z.array(z.string()),
  seed: num(),
  driver: str(),
  counts: z
    .object({ total: num(), ok: num(), failed: num(), feasible: num(), pareto: num() })
    .catch({ total: Number.NaN, ok: Number.NaN, failed: Number.NaN, feasible: Number.NaN, pareto: Number.NaN }),
  /**
   * Evaluations this run took from a journal (`reused`: this folder's, on a rerun or --resume, or a
   * --reuse folder's, `reusedFromOtherFolders` of them) and those it ran (`evaluated`), of which
   * `evaluatedFromScores` took their accuracy from saved per-example scores without a forward pass
   * (a rerun of another `accuracy.seed`; absent from run.json files written before it was counted).
   */
  evaluations: z.object({ reused: num(), reusedFromOtherFolders: num(), evaluated: num(), evaluatedFromScores: num().optional() }).optional().catch(undefined),
  startedAt: str(),
  finishedAt: str(),
  wallSeconds: num(),
  versions: record(z.string()),
  /** Provenance of the energy/area tables (source, calibration). */
  provenance: record(z.unknown()),
  /** Hypervolume after each batch/generation (evaluations so far → hypervolume). */
  hypervolume: z
    .array(z.unknown())
    .catch([])
    .transform((a) => a.filter((h): h is { evals: number; hv: number } => !!h && typeof h === 'object' && typeof (h as { evals?: unknown }).evals === 'number' && typeof (h as { hv?: unknown }).hv === 'number')),
  /** Reference point used for the hypervolume (in objective units, min-normalised). */
  hvReference: z.array(z.number()).optional().catch(undefined),
  /** Knee / best points with breakdowns, for the report. */
  highlights: z.array(HighlightSchema).catch([]),
  /**
   * The dense model's outcome (accuracy engine, every algo knob at its default) that the run's
   * constraints written relative to it were resolved with, the accuracy block it ran with, and
   * each such constraint as written and as resolved (`constraints` above holds the resolved text).
   */
  denseReference: z
    .object({
      metric: z.string(),
      value: z.number(),
      ci95: z.array(z.number()),
      n: z.number(),
      accuracy: z.record(z.string(), z.unknown()),
      constraints: z.array(z.object({ written: z.string(), resolved: z.string() })),
    })
    .optional()
    .catch(undefined),
  /** Why the run stopped: completed, max-evals, time-limit, interrupted, terminated, failed (dse/stop.ts). */
  stopReason: z.string().optional().catch(undefined),
  /** The stop in words, e.g. "60 s reached after 37 of 48 points". */
  stopDetail: z.string().optional().catch(undefined),
  /** Findings worth reading, e.g. which constraint excluded how many points when none is feasible. */
  notes: z.array(z.string()).optional().catch(undefined),
  /**
   * Front membership on the quality objective compared example by example (core/paired.ts): of the
   * report's dominated feasible points, how many a front point does not dominate with 95%
   * confidence, each configuration compared with the front's on the examples both ran. Absent when
   * the run has no quality objective or does not know its configurations' scores (the report then
   * compares the CIs).
   */
  separability: z.object({ metric: z.string(), inseparable: z.number(), method: z.literal('paired') }).optional().catch(undefined),
  /**
   * Each swept parameter's main effect on a quality objective judged example by example
   * (dse/steps/paired-effects.ts): on the `examples` every configuration ran, per example the mean
   * score over the points at each value; `range`: highest − lowest value's mean over the examples
   * (`unit` score: accuracy's 1/0; loss: an LM window's mean loss in nats, so range is ln of the
   * perplexities' ratio); `half`: the 95% half-width of that paired difference, widened for the
   * k(k − 1)/2 pairs of `groups` values (Bonferroni). Within noise when range < half. Absent when
   * the run does not know its configurations' scores (the report then compares the CIs).
   */
  pairedEffects: z
    .array(
      z.object({
        metric: z.string(),
        examples: z.number(),
        points: z.number(),
        unit: z.enum(['score', 'loss']),
        effects: z.array(z.object({ param: z.string(), groups: z.number(), loAt: z.string(), hiAt: z.string(), range: z.number(), half: z.number() })),
      }),
    )
    .optional()
    .catch(undefined),
  /** The options the run was given (jobs, seed, budgets, folders, the command line). */
  options: z.record(z.string(), z.unknown()).optional().catch(undefined),
  /**
   * Sensitivity of each objective over every successfully evaluated point (core/sensitivity.ts
   * SensitivityAccumulator); `binned`: parameters with more than 12 values, left to the report's sample.
   * Accuracy or perplexity with accuracy rungs: over the rows measured on the most examples (`n`),
   * as the report's table; `left`: the rows with an estimate on fewer examples, left out;
   * `examples`: the kept rows' examples when they are a subset rung's. When the rungs took only
   * some configurations to the most examples: `basis: 'first-rung'`, over every row's first-rung
   * estimate (on `examples`), `further` of them having a later rung's value in points.csv.
   */
  sensitivity: z
    .object({
      metrics: z.array(
        z.object({
          metric: z.string(),
          log: z.boolean(),
          n: z.number(),
          effects: z.array(z.object({ param: z.string(), share: z.number(), lo: z.number(), hi: z.number(), loAt: z.string(), hiAt: z.string(), groups: z.number().optional() })),
          left: z.number().optional(),
          examples: z.number().optional(),
          basis: z.literal('first-rung').optional(),
          further: z.number().optional(),
        }),
      ),
      binned: z.array(z.string()),
    })
    .optional()
    .catch(undefined),
  /** Where the evaluations ran: the local pool, or a queue with its workers (dse/backends/types.ts BackendInfo). */
  backend: z.record(z.string(), z.unknown()).optional().catch(undefined),
});
export type RunJson = z.infer<typeof RunJsonSchema>;

/** run.json text → a checked RunJson; throws an Error naming the malformed fields. */
export function parseRunJson(raw: unknown, where = 'run.json'): RunJson {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new Error(`${where}: expected a JSON object`);
  const r = RunJsonSchema.safeParse(raw);
  // a field that is not there is "missing" (zod words it "expected string, received undefined", or "expected nonoptional")
  const at = (p: PropertyKey[]) => p.reduce<unknown>((o, k) => (o !== null && typeof o === 'object' ? (o as Record<PropertyKey, unknown>)[k] : undefined), raw);
  const said = (i: { path: PropertyKey[]; message: string }) => (at(i.path) === undefined ? 'missing' : i.message);
  if (!r.success) throw new Error(`${where} is malformed: ${[...new Set(r.error.issues.map((i) => `"${i.path.join('.')}": ${said(i)}`))].join('; ')}`);
  return r.data;
}
