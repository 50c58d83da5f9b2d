/**
 * The YAML sweep ("space") schema and its loader. The hardware/algorithm/workload blocks reuse the
 * config schema of sim/schema.ts (the single source of truth); this module adds what only a sweep
 * has: parameters, objectives, constraints, the search block and the accuracy block.
 *
 * Every error names the file, line and column, and the field path, e.g.
 *   spaces/x.yaml:7:27: parameters.hw.topkParallelism[0]: Too small: expected number to be >=1
 */
import { LineCounter, parseDocument, visit, type Document } from 'yaml';
import * as z from '../core/zod.ts';
import { AlgoSchema, HardwareSchema, HARDWARE_PRESETS, METRICS, WorkloadSchema } from '../sim/schema.ts';
import { FAST_FIDELITY, SPACE_FIDELITY_NAMES, type SpaceFidelity } from '../sim/fidelities.ts';
import { DRIVER_NAMES, driverInfo } from './drivers/index.ts';
import type { Objective, ParamDomain } from './driver.ts';
import { InputError } from './errors.ts';
import { readSpaceBytes, spaceText, syntaxMessage, yamlLineBreaks } from './space-text.ts';
import { benchmarkIssues, checkObjectives, fractionBoundIssue, lsbThresholdNote, searchSettingIssues, traceAlgoIssues, traceIssues, DEFAULT_MAX_POINTS, metricSemanticIssues, shapeIssues, sizeIssues, type Issue, type MetricUse, type Written } from './space-checks.ts';
import { wordBitsIssues } from './space-word-bits.ts';
import { didYouMean } from '../core/suggest.ts';
import { relativeIssue } from './dense-reference.ts';
import { parseConstraint, type Constraint, type ZodIssue } from './params.ts';
import { fail, issueMessages, locate, mergeKeyIssues, problemLines, valueAt } from './space-issues.ts';
import { budgetCoversNotes, stepShortNotes, sweptBaseNotes } from './space-notes.ts';
import { llmFloorSpaceNote } from './llm-floor.ts';
import { EMPTY_SPACE, parseParameters } from './space-params.ts';
import { parametersJsonSchema, pinnedJsonSchema } from './space-json-schema.ts';
import { inFile, leaveOut, Tainted, type LeftOut, type Path } from './space-stages.ts';

export { expandRange } from './space-params.ts';

// the parameter keys, constraints and --set parsing live in ./params.ts (no YAML, no drivers: the
// `simulate` command loads them without this module)
export { fieldSchema, parameterKeys, parseConstraint, parseSets, violation, type Constraint } from './params.ts';
import { parameterKeys } from './params.ts';
import { PLATFORM_NAMES } from '../sim/baselines/platforms.ts';
import { metricDef } from '../sim/metrics.ts';
import { shippedModels } from '../sim/nn/paths.ts';

/** A value in the file: a number, a string, or true/false (kept as "true"/"false": parameter values are numbers or strings, and the switches parse those). */
const Scalar = z.union([z.number(), z.string(), z.boolean().transform(String)]);
export const ParamSpecSchema = z.union([
  z.array(Scalar),
  z.object({ range: z.tuple([z.number(), z.number()]), step: z.number().positive().optional() }).strict(),
  z.object({ values: z.array(Scalar) }).strict(),
  Scalar,
]);

export const ObjectiveSchema = z
  .object({
    metric: z.enum(METRICS),
    goal: z.enum(['min', 'max']).optional().describe("default: the metric's usual direction (min for latency_s, energy_j, area_mm2 …; max for gops, accuracy, speedup …)"),
    scale: z.enum(['auto', 'linear', 'log']).optional().describe('report axis scale (default auto: log when the values span more than a decade)'),
  })
  .strict();

/**
 * The parameter values a declared chart holds (`normalize`, `where`): parameter key → one value.
 * The editor schema types each key as its knob (dse/space-json-schema.ts pinnedJsonSchema).
 */
const PinnedValues = z.record(z.string(), Scalar);

/** A chart the space declares for its report (e.g. a paper figure): y (a metric) against x (a parameter or metric). */
export const ReportChartSchema = z
  .object({
    x: z.string().describe('a parameter key of the space (e.g. hw.topkParallelism) or a metric'),
    y: z.string().describe('a metric, e.g. gops'),
    title: z.string().optional(),
    normalize: PinnedValues.optional().describe('divide y by its value at the point with these parameter values, e.g. { hw.topkParallelism: 16 }'),
    where: PinnedValues.optional()
      .describe('draw only the points with these parameter values, e.g. { hw.dramChannels: 16 }; every other swept parameter makes one series per combination of its values'),
    reciprocalX: z.boolean().optional().describe('plot 1/x (e.g. a keep fraction as a pruning ratio)'),
    xTitle: z.string().optional(),
    yTitle: z.string().optional(),
    scale: z.object({ x: z.enum(['auto', 'linear', 'log']).optional(), y: z.enum(['auto', 'linear', 'log']).optional() }).strict().optional(),
    reference: z
      .object({ label: z.string(), points: z.array(z.tuple([z.number(), z.number()])).min(1) })
      .strict()
      .optional()
      .describe('published values drawn next to ours (same axes), e.g. the paper figure'),
  })
  .strict();
export type ReportChart = z.infer<typeof ReportChartSchema>;

export const SearchSchema = z
  .object({
    driver: z.enum(DRIVER_NAMES).default('grid'),
    seed: z.number().int().default(1),
    samples: z.number().int().min(1).optional().describe('random/lhs: number of points'),
    population: z.number().int().min(4).optional().describe('nsga2: population size'),
    generations: z.number().int().min(1).optional().describe('nsga2: generations'),
    maxEvals: z.number().int().min(1).optional().describe('stop after this many evaluations'),
    timeLimit: z.number().positive().optional().describe('stop after this many seconds'),
  })
  .strict();

/**
 * Largest accuracy seed: it seeds the bootstrap of a language model's perplexity CI through
 * sim/rng.ts mulberry32, which keeps seed >>> 0 (32 bits), so a negative seed or one above this
 * would silently be another seed's stream (-1 is 4294967295, 2^32 is 0).
 */
export const ACCURACY_SEED_MAX = 0xffffffff;

export const AccuracyBlockSchema = z
  .object({
    model: z.string().min(1).describe(`${shippedModels().join(' | ')} | path to a Hugging Face checkpoint folder`),
    maxExamples: z.number().int().min(1).optional(),
    seed: z
      .number()
      .int()
      .min(0)
      .max(ACCURACY_SEED_MAX)
      .optional()
      .describe(`seed of the bootstrap behind a language model's perplexity CI (default 1): an integer from 0 to ${ACCURACY_SEED_MAX} (a 32-bit seed)`),
    subsetExamples: z
      .number()
      .int()
      .min(1)
      .optional()
      .describe('multi-fidelity: examples of the cheap first accuracy estimate; the full evaluation runs only for points that can still reach the front (default ⌈maxExamples/8⌉ rounded down to whole engine batches — 32 classifier examples, 16 LM windows — for random/lhs/nsga2; the grid driver evaluates every point fully unless this is set)'),
  })
  .strict();

/** The fields of an object schema as optional, with their defaults removed (so a preset is not overwritten by defaults). */
function optionalNoDefaults<T extends Record<string, z.ZodType>>(shape: T): { [K in keyof T]: z.ZodOptional<z.ZodType<z.output<T[K]>>> } {
  const out: Record<string, z.ZodType> = {};
  for (const [k, v] of Object.entries(shape)) {
    const inner = v instanceof z.ZodDefault ? (v.unwrap() as z.ZodType) : v;
    // a field's description sits on its default when it was described after .default(): keep it
    out[k] = v.description === undefined ? inner.optional() : inner.optional().describe(v.description);
  }
  return out as { [K in keyof T]: z.ZodOptional<z.ZodType<z.output<T[K]>>> };
}

/** A switch that moved into the hardware block (one set of timing switches for both models). */
const movedToHardware = (field: string) =>
  z
    .unknown()
    .refine(() => false, { message: `moved: set hardware.${field} (a timing switch of the hardware, honoured by both models)` })
    .optional();

/** Options of the cycle-level simulator (sim/cycle CycleOptions) for `fidelity: cycle | both`. */
export const CycleBlockSchema = z
  .object({
    seed: z.number().int().optional().describe('seed of the refetch draws and quick-select pivots (default 1)'),
    gateTokenTopk: movedToHardware('gateTokenTopk'),
    topkFilter: movedToHardware('topkFilter'),
    refresh: movedToHardware('dramRefresh'),
  })
  .strict();

const HardwareBlockSchema = z
  .object({
    preset: z.enum(Object.keys(HARDWARE_PRESETS) as [string, ...string[]]).optional(),
    ...optionalNoDefaults(HardwareSchema.shape),
  })
  .strict();

export const SpaceSchema = z
  .object({
    name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'use letters, digits, ".", "_" or "-" (it names the results folder)'),
    description: z.string().optional(),
    workload: WorkloadSchema.default(WorkloadSchema.parse({})),
    hardware: HardwareBlockSchema.default({}),
    algo: z.object(optionalNoDefaults(AlgoSchema.shape)).strict().default({}),
    fidelity: z
      .enum(SPACE_FIDELITY_NAMES)
      .optional()
      .describe('hardware model: analytical | cycle | both (analytical everywhere, cycle re-scores the points that can reach the front); default analytical'),
    model: z.enum(SPACE_FIDELITY_NAMES).optional().describe('deprecated: the old name of `fidelity`'),
    cycle: CycleBlockSchema.optional(),
    objectives: z.array(ObjectiveSchema).min(1, 'give at least one objective'),
    constraints: z
      .array(z.string())
      .default([])
      .describe(
        'metric bounds a feasible point meets: "<metric> <op> <number>" (op: <= < >= > ==), e.g. "area_mm2 <= 20"; or, for accuracy and perplexity with an accuracy block, relative to the dense model (the accuracy block run with every algo knob at its default: no pruning): "<metric> <op> dense", "dense - N", "dense + N" or "dense * F", e.g. "accuracy >= dense - 0.01", "perplexity <= dense * 1.03"',
      ),
    parameters: z
      .record(z.string(), ParamSpecSchema)
      .default({})
      .describe(
        `the knobs to sweep (hw.*, algo.*, workload.*), each as one value, a list of values, {values: [...]}, or for a number {range: [low, high], step}; without a step the ${DRIVER_NAMES.filter((d) => driverInfo(d).intervals).join('/')} drivers sample the interval`,
      ),
    search: SearchSchema.default(SearchSchema.parse({})),
    accuracy: AccuracyBlockSchema.optional(),
    baseline: z
      .enum(PLATFORM_NAMES)
      .optional()
      .describe('CPU/GPU/edge platform running the same dense workload in PyTorch (sim/baselines): adds the speedup and energy_saving metrics'),
    report: z.union([ReportChartSchema, z.array(ReportChartSchema)]).optional().describe('charts this space declares for its report (a paper figure)'),
  })
  .strict();
/** A parsed space: `fidelity` resolved (from the deprecated `model:` alias when that was given). */
export type Space = Omit<z.infer<typeof SpaceSchema>, 'fidelity' | 'model'> & { fidelity: SpaceFidelity };

export interface ParsedSpace {
  space: Space;
  domains: ParamDomain[];
  constraints: Constraint[];
  objectives: Objective[];
  yaml: string;
  file: string;
  /** Notes for the user about deprecated keys (printed by the runner). */
  notes: string[];
}

/** Keys allowed at a path of the space file (for "did you mean"). */
function knownKeysAt(path: (string | number)[]): string[] {
  const shapes: Record<string, z.ZodObject> = {
    '': SpaceSchema,
    hardware: HardwareBlockSchema,
    algo: AlgoSchema,
    workload: WorkloadSchema,
    search: SearchSchema,
    accuracy: AccuracyBlockSchema,
    cycle: CycleBlockSchema,
    objectives: ObjectiveSchema,
  };
  const head = path.length === 0 ? '' : String(path[0]);
  if (head === 'parameters' && path.length === 2) return ['range', 'step', 'values'];
  const shape = shapes[head];
  if (!shape || (head === 'objectives' ? path.length !== 2 : path.length > 1)) return [];
  return Object.keys(shape.shape);
}

/** Zod issues as the space's messages, with "did you mean" among the keys known at each path. */
const zodIssues = (issues: ZodIssue[], prefix: (string | number)[] = [], raw?: unknown): Issue[] => issueMessages(issues, prefix, raw, knownKeysAt);

export interface ParseOptions {
  /** Size guard (default 10^7): a grid with more points, or a driver asked for more, is refused. */
  maxPoints?: number;
}

/** "line:col" of the first alias in the document ("1:1" when there is none). */
function firstAlias(doc: Document, lc: LineCounter): string {
  let at = '1:1';
  visit(doc, {
    Alias(_k, node) {
      if (node.range) {
        const p = lc.linePos(node.range[0]);
        at = `${p.line}:${p.col}`;
      }
      return visit.BREAK;
    },
  });
  return at;
}

/** The YAML of a space file: its document and its value, a mapping. Throws InputError with file:line:col. */
function parseYaml(text: string, file: string): { doc: Document; lc: LineCounter; raw: object } {
  const lc = new LineCounter();
  const doc = parseDocument(yamlLineBreaks(text), { lineCounter: lc, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    // every syntax error yaml found (an unclosed bracket and a duplicate key further down: both), as the schema's problems are shown;
    // of a stack overflow (one per level it unwound), the first
    const errors = doc.errors.filter((e, i) => e.code !== 'RESOURCE_EXHAUSTION' || doc.errors.findIndex((f) => f.code === e.code) === i);
    const located = errors.map((e) => {
      const p = e.linePos?.[0] ?? lc.linePos(e.pos[0]);
      return { ...p, text: `${file}:${p.line}:${p.col}: YAML syntax error: ${syntaxMessage(e)}` };
    });
    throw new InputError(problemLines(located));
  }
  const merges = mergeKeyIssues(doc);
  if (merges.length > 0) fail(file, doc, lc, merges);
  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    // yaml's resource limit on alias expansion ("billion laughs"): point at the first alias
    throw new InputError(`${file}:${firstAlias(doc, lc)}: YAML: ${(e as Error).message} (too many alias expansions; write the values out)`);
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new InputError(`${file}:1:1: (root): expected a mapping with name, objectives and parameters`);
  }
  return { doc, lc, raw };
}

/** The constraints that parse (the others go to `issues`); `accuracyKnown`: false when the file's accuracy block had a problem (a relative bound is then not refused for want of one). */
function parseConstraints(space: Space, issues: Issue[], accuracyKnown = true): Constraint[] {
  const constraints: Constraint[] = [];
  space.constraints.forEach((c, i) => {
    const pc = parseConstraint(c);
    if (typeof pc === 'string') issues.push({ path: ['constraints', i], message: pc });
    else {
      const outside = pc.relative ? relativeIssue(pc, space.accuracy !== undefined || !accuracyKnown) : fractionBoundIssue(pc);
      if (outside) issues.push({ path: ['constraints', i], message: outside });
      else constraints.push(pc);
    }
  });
  return constraints;
}

const isMetric = (m: string) => (METRICS as readonly string[]).includes(m);

/** The space's declared report charts, each with its path in the file. */
function reportCharts(space: Space): { c: ReportChart; at: (string | number)[] }[] {
  if (space.report === undefined) return [];
  return Array.isArray(space.report) ? space.report.map((c, i) => ({ c, at: ['report', i] })) : [{ c: space.report, at: ['report'] }];
}

/** Where the space names a metric (objectives, constraints, report axes): each is checked for what it needs. */
function metricUses(space: Space, constraints: Constraint[]): MetricUse[] {
  const uses: MetricUse[] = space.objectives.map((o, i) => ({ metric: o.metric, path: ['objectives', i, 'metric'] }));
  for (const c of constraints) uses.push({ metric: c.metric, path: ['constraints', space.constraints.indexOf(c.text)] });
  for (const { c, at } of reportCharts(space)) {
    for (const axis of ['x', 'y'] as const) if (isMetric(c[axis])) uses.push({ metric: c[axis], path: [...at, axis] });
  }
  return uses;
}

/** Declared report charts: x a parameter or a metric, y a metric, normalize by parameters (problems go to `issues`). */
function checkReportCharts(space: Space, keys: string[], domains: ParamDomain[], issues: Issue[]): void {
  for (const { c, at } of reportCharts(space)) {
    if (!keys.includes(c.x) && !isMetric(c.x)) issues.push({ path: [...at, 'x'], message: `"${c.x}" is neither a parameter of this space (${keys.join(', ')}) nor a metric (${METRICS.join(', ')})${didYouMean(c.x, [...keys, ...METRICS])}` });
    if (!isMetric(c.y)) issues.push({ path: [...at, 'y'], message: `"${c.y}" is not a metric (${METRICS.join(', ')})${didYouMean(c.y, METRICS)}` });
    for (const field of ['normalize', 'where'] as const) {
      for (const [k, v] of Object.entries(c[field] ?? {})) {
        const problem = k === c.x && field === 'where' ? `${k} is the chart's x axis: it cannot also be held at one value` : pinnedProblem(k, v, keys, domains, field);
        if (problem) issues.push({ path: [...at, field, k], message: problem, atKey: !keys.includes(k) });
      }
    }
  }
}

/** Why a chart cannot hold parameter `k` at `v` (normalize: divide by that point; where: draw only those points), or undefined. */
function pinnedProblem(k: string, v: unknown, keys: string[], domains: ParamDomain[], field: 'normalize' | 'where'): string | undefined {
  if (!keys.includes(k)) return `"${k}" is not a parameter of this space${didYouMean(k, keys)}`;
  // a value that is never evaluated leaves no chart
  const d = domains.find((x) => x.key === k);
  if (d?.kind === 'interval') return `${k} is swept over a continuous range, so no point is evaluated at exactly ${v}: sweep it over a list or a range with a step`;
  if (d && !d.values.some((x) => String(x) === String(v))) return `${v} is not one of the values of ${k} (${d.values.join(', ')}), so no point would ${field === 'normalize' ? 'normalise the chart' : 'be drawn'}`;
  return undefined;
}

/** The workload and algo blocks as the file writes them (without the schema's defaults). */
function writtenBlocks(raw: object): Written {
  const block = (k: string) => (valueAt(raw, [k]) ?? {}) as Record<string, unknown>;
  return { workload: block('workload'), algo: block('algo') };
}

/** Workload fields and workload.* parameters a trace or a benchmark would ignore (problems go to `issues`). */
function checkWorkloadFields(space: Space, written: Written, keys: string[], issues: Issue[]): void {
  if (space.workload.trace && keys.some((k) => k.startsWith('workload.'))) {
    issues.push({ path: ['workload', 'trace'], message: 'a trace workload cannot be combined with workload.* parameters' });
  }
  const traced = [...traceIssues(written.workload), ...traceAlgoIssues(space, written, keys)];
  issues.push(...(traced.length > 0 ? traced : benchmarkIssues(written.workload, new Set(keys))));
}

/** The lists of a space file whose items are checked one by one (an item with a problem is left out of the later stages alone). */
const ITEM_SCHEMAS: Record<string, z.ZodType> = { objectives: ObjectiveSchema, constraints: z.string(), report: ReportChartSchema };

/**
 * The schema stage: the space, and the file with the values the schema refused left out
 * (dse/space-stages.ts), so the later stages check the rest; no space when what is left still
 * fails (no valid objective): then the schema's problems are all there is to report.
 */
function schemaStage(raw: object): { data?: z.infer<typeof SpaceSchema>; issues: Issue[]; left: LeftOut } {
  const r = SpaceSchema.safeParse(raw);
  const file = raw as Record<string, unknown>;
  if (r.success) return { data: r.data, issues: [], left: { raw: file, left: [], kept: new Map() } };
  const issues = zodIssues(r.error.issues, [], raw);
  let left = leaveOut(file, r.error.issues, ITEM_SCHEMAS);
  let again = SpaceSchema.safeParse(left.raw);
  // a block that lost a required field (an accuracy block's model) is left out whole
  if (!again.success) {
    left = leaveOut(left.raw, again.error.issues, ITEM_SCHEMAS, true, left);
    again = SpaceSchema.safeParse(left.raw);
  }
  return { data: again.success ? again.data : undefined, issues, left };
}

/** The workload.* and algo.* parameters (the semantic checks read their values) and hw.wordBits. */
const SEMANTIC_PARAMS: Path[] = parameterKeys()
  .filter((k) => k.startsWith('workload.') || k.startsWith('algo.') || k === 'hw.wordBits')
  .map((k) => ['parameters', k]);

/**
 * Parse and validate a space from YAML text. Throws InputError with file:line:col messages: the
 * problems of every stage at once, ordered by line (dse/space-stages.ts: a later stage checks what
 * the earlier ones left valid).
 */
export function parseSpace(text: string, file = '<space>', opts: ParseOptions = {}): ParsedSpace {
  const maxPoints = opts.maxPoints ?? DEFAULT_MAX_POINTS;
  const { doc, lc, raw: given } = parseYaml(text, file);
  const schema = schemaStage(given);
  if (!schema.data) fail(file, doc, lc, schema.issues);
  const raw = schema.left.raw;
  // a check reading a value the schema refused is skipped (it would judge a default the file does not give)
  const tainted = new Tainted(schema.left.left);
  const { model: legacyModel, fidelity, ...rest } = schema.data;
  const space: Space = { ...rest, fidelity: fidelity ?? legacyModel ?? FAST_FIDELITY };
  const issues: Issue[] = [];
  const notes: string[] = [];
  if (legacyModel !== undefined && !tainted.touches([['model'], ['fidelity']])) {
    if (fidelity !== undefined) issues.push({ path: ['model'], message: 'give `fidelity:` only (`model:` is its deprecated old name)', atKey: true });
    else notes.push(`${file}:${locate(doc, lc, ['model'], true)}: \`model: ${legacyModel}\` is deprecated; write \`fidelity: ${legacyModel}\``);
  }

  const driverKnown = !tainted.touches([['search', 'driver']]);
  const domains = parseParameters(space, raw, issues, maxPoints, zodIssues, driverKnown ? space.search.driver : undefined);
  const keys = Object.keys(space.parameters);
  if (keys.length === 0 && !tainted.touches([['parameters']])) issues.push({ path: ['parameters'], message: EMPTY_SPACE });
  for (const n of stepShortNotes(space.parameters, domains)) notes.push(`${file}:${locate(doc, lc, n.path)}: ${n.text}`);
  for (const n of sweptBaseNotes(raw, domains)) notes.push(`${file}:${locate(doc, lc, n.path, true)}: ${n.text}`);
  checkObjectives(space, issues);
  if (!tainted.touches([['search']])) issues.push(...searchSettingIssues(space.search));
  if (!tainted.touches([['search'], ['parameters']])) for (const n of budgetCoversNotes(space.search, domains)) notes.push(`${file}:${locate(doc, lc, n.path, true)}: ${n.text}`);
  const constraints = parseConstraints(space, issues, !tainted.touches([['accuracy', 'model']]));
  if (!tainted.touches([['parameters']])) checkReportCharts(space, keys, domains, issues);
  const written = writtenBlocks(raw);
  checkWorkloadFields(space, written, keys, issues);
  // the last stage reads what the earlier ones found valid
  tainted.add(issues, Object.keys(ITEM_SCHEMAS));
  let wordNote: { path: (string | number)[]; text: string } | undefined;
  if (!tainted.touches([['accuracy'], ['baseline']])) issues.push(...metricSemanticIssues(space, metricUses(space, constraints)));
  if (!tainted.touches([['workload'], ['algo'], ['accuracy', 'model'], ...SEMANTIC_PARAMS])) issues.push(...shapeIssues(space, domains, written));
  if (!tainted.touches([['workload'], ['algo'], ['hardware'], ...SEMANTIC_PARAMS])) {
    const word = wordBitsIssues(space, domains, file);
    if (word.issue) issues.push(word.issue);
    wordNote = word.note;
  }
  if (!tainted.touches([['search'], ['parameters']])) issues.push(...sizeIssues(space, domains, maxPoints));
  const all = [...schema.issues, ...inFile(issues, schema.left)];
  if (all.length > 0) fail(file, doc, lc, all);
  if (wordNote) notes.push(`${file}:${locate(doc, lc, wordNote.path, true)}: ${wordNote.text}`);
  const inert = lsbThresholdNote(space, domains, written);
  if (inert) notes.push(`${file}:${locate(doc, lc, inert.path, true)}: ${inert.text}`);
  const floor = llmFloorSpaceNote(space, domains);
  if (floor) notes.push(`${file}:${locate(doc, lc, floor.path, true)}: ${floor.text}`);
  return { space, domains, constraints, objectives: space.objectives.map((o) => ({ metric: o.metric, goal: o.goal ?? metricDef(o.metric)!.goal })), yaml: text, file, notes };
}

export { MAX_SPACE_BYTES } from './space-text.ts';

export function loadSpace(file: string, opts: ParseOptions = {}): ParsedSpace {
  return parseSpace(spaceText(readSpaceBytes(file), file), file, opts);
}

/** JSON Schema of the space file, for editors (`spatten-dse schema`). */
export function spaceJsonSchema(): unknown {
  // a chart's normalize/where per knob, as the parameters block (zod sees records of any value there)
  const override = ({ zodSchema, jsonSchema }: { zodSchema: unknown; jsonSchema: Record<string, unknown> }) => {
    if (zodSchema !== PinnedValues) return;
    const typed = pinnedJsonSchema(jsonSchema);
    for (const k of Object.keys(jsonSchema)) delete jsonSchema[k];
    Object.assign(jsonSchema, typed);
  };
  const schema = z.toJSONSchema(SpaceSchema, { target: 'draft-7', io: 'input', unrepresentable: 'any', override }) as { properties: Record<string, Record<string, unknown>>; definitions?: Record<string, unknown> };
  // the parameters block per knob (dse/space-json-schema.ts): zod sees a record of any spec there
  const { block, definitions } = parametersJsonSchema(schema.properties.parameters);
  schema.properties.parameters = block;
  schema.definitions = { ...schema.definitions, ...definitions };
  return schema;
}
