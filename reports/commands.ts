/**
 * From a chosen point to action: the `npx spatten-dse simulate …` command that re-evaluates it,
 * and a YAML snippet (workload, hardware, algo blocks; the cycle block when its seed is not the
 * default) to paste into a space file.
 */
import { FAST_FIDELITY, SPACE_FIDELITIES, type SpaceFidelity } from '../sim/fidelities.ts';
import type { Params } from '../dse/driver.ts';
import { workloadDefinition, type PointRow, type RunJson } from '../core/results.ts';
import { rescorePlan } from './fidelity-label.ts';

interface SpaceLike {
  workload?: Record<string, unknown>;
  hardware?: Record<string, unknown>;
  algo?: Record<string, unknown>;
  model?: string;
  accuracy?: { model?: string; maxExamples?: number };
  cycle?: Record<string, unknown>;
  baseline?: string;
}

function spaceOf(run: Pick<RunJson, 'space'>): SpaceLike {
  return (run.space && typeof run.space === 'object' ? run.space : {}) as SpaceLike;
}

/** Quotes a shell word only when needed. */
function sh(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** The point's full parameter set: the space's base hardware/algo overrides, then the point's own. */
export function pointSettings(run: Pick<RunJson, 'space'>, params: Params): { preset: string; sets: [string, string | number][] } {
  const sp = spaceOf(run);
  const { preset, ...hw } = sp.hardware ?? {};
  const sets = new Map<string, string | number>();
  for (const [k, v] of Object.entries(hw)) if (v !== undefined) sets.set(`hw.${k}`, v as string | number);
  for (const [k, v] of Object.entries(sp.algo ?? {})) if (v !== undefined) sets.set(`algo.${k}`, v as string | number);
  for (const [k, v] of Object.entries(params)) sets.set(k, v);
  return { preset: typeof preset === 'string' ? preset : 'spatten', sets: [...sets] };
}

/**
 * simulate's workload options for the point's workload (the space's, then the point's workload.*
 * values): a trace, a benchmark (which fixes the shape and supplies the base algo settings), or
 * model, stage and lengths; then the scope.
 */
function workloadArgs(sp: SpaceLike, params: Params): string[] {
  const wl = new Map<string, unknown>(Object.entries(sp.workload ?? {}));
  for (const [k, v] of Object.entries(params)) if (k.startsWith('workload.')) wl.set(k.slice(9), v);
  const parts: string[] = [];
  if (typeof wl.get('trace') === 'string') parts.push('--trace', sh(String(wl.get('trace'))));
  else if (typeof wl.get('benchmark') === 'string') parts.push('-w', sh(String(wl.get('benchmark'))));
  else {
    if (wl.get('model') !== undefined) parts.push('-w', sh(String(wl.get('model'))));
    if (wl.get('stage') !== undefined) parts.push('--stage', sh(String(wl.get('stage'))));
    if (wl.get('seqLen') !== undefined) parts.push('--seq-len', String(wl.get('seqLen')));
    if (wl.get('stage') === 'generation' && wl.get('genTokens') !== undefined) parts.push('--gen-tokens', String(wl.get('genTokens')));
  }
  if (wl.get('scope') === 'e2e') parts.push('--scope', 'e2e');
  return parts;
}

/** The space's cycle-model seed when it is not the default 1 (the seed of the refetch draws and quick-select pivots). */
function cycleSeed(sp: SpaceLike): number | undefined {
  const seed = sp.cycle?.seed;
  return typeof seed === 'number' && seed !== 1 ? seed : undefined;
}

/** `npx spatten-dse simulate …` reproducing the point's hardware metrics (and accuracy, when the run measured it) by the run's primary model. */
export function simulateCommand(run: Pick<RunJson, 'space' | 'model'>, params: Params): string {
  const fid = (run as { fidelity?: string }).fidelity ?? run.model;
  const plan = fid !== undefined && fid in SPACE_FIDELITIES ? SPACE_FIDELITIES[fid as SpaceFidelity] : undefined;
  return commandFor(run, params, plan?.primary);
}

/**
 * The command of each model whose figures the point's row holds: the primary model's (the plain
 * metric columns) and, in a run that re-scored the point with a second model (`fidelity: both`),
 * that model's (its `cycle_…` columns, which simulate prints as the plain metrics: `plain`).
 */
export function simulateCommands(run: Pick<RunJson, 'space' | 'model' | 'metrics'>, row: Pick<PointRow, 'params' | 'metrics'>): { model?: string; columns: string[]; plain: string[]; cmd: string }[] {
  const primary = { columns: [] as string[], plain: [] as string[], cmd: simulateCommand(run, row.params) };
  const plan = rescorePlan(run);
  if (!plan) return [primary];
  const cols = run.metrics.filter((m) => m.startsWith(`${plan.rescore}_`) && Number.isFinite(row.metrics[m]));
  if (cols.length === 0) return [primary];
  const plainCols = cols.map((c) => c.slice(plan.rescore.length + 1));
  return [
    { model: plan.primary, columns: plainCols, plain: plainCols, cmd: primary.cmd },
    { model: plan.rescore, columns: cols, plain: plainCols, cmd: commandFor(run, row.params, plan.rescore) },
  ];
}

/** The command for one model (`model` undefined or the fast one: no --fidelity option). */
function commandFor(run: Pick<RunJson, 'space' | 'model'>, params: Params, model: string | undefined): string {
  const sp = spaceOf(run);
  const parts = ['npx', 'spatten-dse', 'simulate', ...workloadArgs(sp, params)];
  const { preset, sets } = pointSettings(run, params);
  if (preset !== 'spatten') parts.push('--preset', sh(preset));
  for (const [k, v] of sets) if (!k.startsWith('workload.')) parts.push('--set', sh(`${k}=${v}`));
  if (model !== undefined && model !== FAST_FIDELITY) parts.push('--fidelity', model);
  const seed = cycleSeed(sp);
  if (model === 'cycle' && seed !== undefined) parts.push('--seed', String(seed));
  if (typeof sp.baseline === 'string') parts.push('--baseline', sh(sp.baseline));
  if (sp.accuracy?.model) {
    parts.push('--accuracy', sh(sp.accuracy.model));
    if (sp.accuracy.maxExamples !== undefined) parts.push('--accuracy-examples', String(sp.accuracy.maxExamples));
  }
  return parts.join(' ');
}

function flow(obj: Record<string, unknown>): string {
  const items = Object.entries(obj)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}: ${typeof v === 'string' && !/^[\w./-]+$/.test(v) ? JSON.stringify(v) : String(v)}`);
  return `{ ${items.join(', ')} }`;
}

/** A YAML snippet of the point: workload, hardware and algo blocks of a space file. */
export function yamlSnippet(run: Pick<RunJson, 'space'>, params: Params): string {
  const sp = spaceOf(run);
  const workload: Record<string, unknown> = { ...workloadDefinition(sp.workload ?? {}) };
  const hardware: Record<string, unknown> = { preset: pointSettings(run, params).preset };
  const algo: Record<string, unknown> = {};
  for (const [k, v] of pointSettings(run, params).sets) {
    if (k.startsWith('hw.')) hardware[k.slice(3)] = v;
    else if (k.startsWith('algo.')) algo[k.slice(5)] = v;
  }
  for (const [k, v] of Object.entries(params)) if (k.startsWith('workload.')) workload[k.slice(9)] = v;
  // a space file refuses genTokens without the generation stage (run.json keeps the schema's default)
  if (workload.stage !== undefined && workload.stage !== 'generation') delete workload.genTokens;
  const seed = cycleSeed(sp);
  return [`workload: ${flow(workload)}`, `hardware: ${flow(hardware)}`, `algo: ${flow(algo)}`, ...(seed !== undefined ? [`cycle: ${flow({ seed })}`] : [])].join('\n');
}
