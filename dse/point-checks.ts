/**
 * Checks of one design point's workload once `--set` is applied (`simulate`, `compare`): what the
 * per-field schemas cannot see, as one-line InputErrors (exit 2) naming the option that caused
 * them, before any model runs. (A space file gets the same checks from dse/space-checks.ts.)
 */
import type { HardwareConfig, WorkloadConfig } from '../sim/schema.ts';
import { minBufferKB } from '../sim/cycle/geometry.ts';
import { MODEL_SHAPES } from '../sim/workload/models.ts';
import { InputError } from './errors.ts';

/** The last `--set <key>=…` among `sets`, as the user gave it, or undefined. */
export function lastSet(sets: readonly string[], key: string): string | undefined {
  const s = sets.filter((x) => x.slice(0, Math.max(0, x.indexOf('='))).trim() === key).at(-1);
  return s === undefined ? undefined : `--set ${s}`;
}

/** Does the point's model have no generation stage (BERT)? */
export function isEncoder(w: Pick<WorkloadConfig, 'model'>): boolean {
  return MODEL_SHAPES[w.model]?.kind === 'encoder';
}

/**
 * An encoder in the generation stage (sim/workload/build.ts refuses it when the model runs):
 * an InputError naming `cause`, the option that chose the stage or the model.
 */
export function checkEncoderStage(w: WorkloadConfig, cause: string, hint = ''): void {
  if (w.trace || w.stage !== 'generation' || !isEncoder(w)) return;
  throw new InputError(`${cause}: ${w.model} is an encoder, only the summarization stage applies${hint}`);
}

/**
 * Key or value SRAM below the cycle model's one line pair (sim/cycle/geometry.ts minBufferKB): an
 * InputError naming the knob (as `--set` gave it, when it did) and the smallest size accepted.
 */
export function checkCycleBuffers(hw: HardwareConfig, sets: readonly string[]): void {
  const min = minBufferKB(hw);
  const knobs = [
    ['hw.keySramKB', hw.keySramKB, min.key, 'key', 'hw.qkMultipliers', hw.qkMultipliers],
    ['hw.valueSramKB', hw.valueSramKB, min.value, 'value', 'hw.pvMultipliers', hw.pvMultipliers],
  ] as const;
  for (const [key, kb, least, buffer, mults, m] of knobs) {
    if (kb >= least) continue;
    const cause = lastSet(sets, key) ?? `${key} = ${kb}`;
    throw new InputError(`${cause}: the cycle model needs at least ${least} KB of ${buffer} SRAM (two ${buffer}-buffer lines of ${mults} × hw.wordBits = ${m} × ${hw.wordBits} bits)`);
  }
}

/** A trace's rows give every head's kept keys and values and their bit widths: of the algo settings only these apply to it (the FC weights, scope e2e). */
export const TRACE_ALGO = new Set(['fcWeightBits']);
export const TRACE_FIXES = "fixes the pruning and quantization (its rows give every head's kept keys and values and their bit widths)";
