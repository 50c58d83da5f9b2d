/** Shared helpers of the figure modules: traces, model dispatch, formatting. */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { AlgoSchema, HardwareSchema, WorkloadSchema, type DesignPoint, type HardwareConfig } from '../../sim/schema.ts';
import { fidelity, FIDELITY_NAMES, REFERENCE_FIDELITY, type FidelityName } from '../../sim/fidelities.ts';
import { resolveWorkload } from '../../sim/index.ts';
import type { Workload } from '../../sim/workload/types.ts';
import type { HwResult } from '../../sim/hw/types.ts';
import { InputError } from '../errors.ts';
import { wordBitsShortfall } from '../point-checks.ts';
import { ENVELOPE_ORDER, type FigureJson } from './types.ts';

export type ModelName = FidelityName;

const here = path.dirname(fileURLToPath(import.meta.url));
export const TRACE_DIR = path.join(here, '..', '..', 'sim', 'workload', 'traces');
export const PER8 = path.join(TRACE_DIR, 'summary-gpt2-small-wikitext2-per8.csv');
export const PER8_DENSE = path.join(TRACE_DIR, 'summary-gpt2-small-wikitext2-per8-step1+dedic.csv');

/** What the official per8 trace prunes (spec/spatten-official-hardware.md §3.2). */
export const PER8_SETTINGS =
  'official trace summary-gpt2-small-wikitext2-per8.csv: GPT-2-Small generation, 32 tokens after a 992-token prompt (L = 993…1024); keys kept per layer 921/716/204×4/102×6 of ~1024 (token pruning, 3.6× fewer keys), V = 20% of the kept keys (local-V pruning), 6-bit K/V, 16-bit Q, 4-bit LSB refetch replayed (7.0% of heads)';

/** A trace workload on `hw` as a design point (its rows fix the pruning and the widths: the algo settings are the defaults, unused). */
export function tracePoint(file: string, hw: HardwareConfig): DesignPoint {
  return { hw, algo: AlgoSchema.parse({}), workload: WorkloadSchema.parse({ trace: file }) };
}

/** A trace's workload, read once (the models' trace cache, sim/index.ts resolveWorkload, which the word check reads too). */
export function trace(file: string): Workload {
  return resolveWorkload(tracePoint(file, hardware()));
}

export function modelOf(name: string | undefined): ModelName {
  const m = name ?? REFERENCE_FIDELITY;
  if (!(FIDELITY_NAMES as readonly string[]).includes(m)) throw new InputError(`--model: expected ${FIDELITY_NAMES.join(' or ')}, got "${m}"`);
  return m as ModelName;
}

/** Table I hardware with a configuration's changes and the user's overrides. */
export function hardware(...parts: Array<Partial<HardwareConfig> | undefined>): HardwareConfig {
  return HardwareSchema.parse(Object.assign({}, ...parts.filter(Boolean)));
}

/**
 * A configuration of a figure whose data does not fit hw.wordBits (dse/point-checks.ts
 * `wordBitsProblem`, the check of `simulate` and `compare`): `reproduce` turns it into bad input
 * naming the figure, the configuration and the minimum word.
 */
export class WordTooNarrowError extends Error {
  constructor(
    readonly config: string,
    readonly minBits: number,
    readonly problem: string,
  ) {
    super(`${config}: ${problem}`);
    this.name = 'WordTooNarrowError';
  }
}

/** Throws WordTooNarrowError when `p`'s keys, values or e2e FC weights do not fit its hw.wordBits (`config` names the configuration). */
export function checkWord(p: DesignPoint, config: string): void {
  const short = wordBitsShortfall(p);
  if (short) throw new WordTooNarrowError(config, short.need.bits, short.problem);
}

export function evaluate(model: ModelName, w: Workload, hw: HardwareConfig): HwResult {
  return fidelity(model).evaluate(w, hw, {});
}

/** The stage with the most busy cycles (the bottleneck), from a result's `stages`. */
export function busiest(r: HwResult): string {
  const s = r.stages;
  const e = (['dram', 'qk', 'softmax', 'topk', 'pv'] as const).map((k) => [k, s[k]] as const);
  return e.reduce((a, b) => (b[1] > a[1] ? b : a))[0];
}

export const relErr = (ours: number, paper: number) => ours / paper - 1;
export const pct = (e: number) => `${e >= 0 ? '+' : ''}${(100 * e).toFixed(0)}%`;
export const mark = (e: number, tol: number) => (Math.abs(e) <= tol ? 'ok' : 'MISS');
export const hwText = (h: Partial<HardwareConfig>) => Object.entries(h).map(([k, v]) => `${k}=${v}`).join(' ') || 'Table I';
/** The hardware a figure ran on: 'Table I', or Table I with the user's `--set hw.X=…` overrides (so no label claims Table I under an override). */
export const hwLabel = (user: Partial<HardwareConfig> = {}) => (Object.keys(user).length ? `Table I with --set ${hwText(user)}` : 'Table I');
/** The override as a suffix for a configuration's note ('' without one). */
export const userNote = (user: Partial<HardwareConfig> = {}) => (Object.keys(user).length ? `; with --set ${hwText(user)} on top (not the paper's hardware)` : '');

/**
 * A figure's `--json` (FigureJson, types.ts): name, model, the user's overrides when given, then
 * the figure's main list, `paper`, `workload` and `why` (ENVELOPE_ORDER, whichever the figure has),
 * then its other keys in the figure's order — the same order for every figure, as the README's
 * envelope table lists it.
 */
export function envelope<T extends object>(figure: string, model: ModelName, user: Partial<HardwareConfig>, body: T): FigureJson & T {
  const all: Record<string, unknown> = { figure, model, ...(Object.keys(user).length ? { hw: user } : {}), ...body };
  const first = ENVELOPE_ORDER.filter((k) => k in all);
  const rest = Object.keys(all).filter((k) => !(ENVELOPE_ORDER as readonly string[]).includes(k));
  return Object.fromEntries([...first, ...rest].map((k) => [k, all[k]])) as FigureJson & T;
}
