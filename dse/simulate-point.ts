/**
 * What `spatten-dse simulate` does to a design point once its options are checked: the point built
 * from the config schemas (the base point of a one-point space, `--set` values applied) and run
 * through a hardware model. dse/commands/simulate.ts is the command line over it; `simulateTrace`
 * prices a trace file as `simulate --trace FILE [--fidelity F] --json` does (scripts/readme-nn.ts).
 */
import { WorkloadSchema, type DesignPoint } from '../sim/schema.ts';
import { evaluateHardware } from '../sim/index.ts';
import { pickMetrics } from '../sim/metrics.ts';
import type { HwResult } from '../sim/hw/types.ts';
import type { FidelityName } from '../sim/fidelities.ts';
import { InputError } from './errors.ts';
import { applyParams, basePoint, nonFiniteMetrics } from './evaluate.ts';
import { parseSets } from './params.ts';
import { checkWordBits } from './point-checks.ts';
import { loadProfileCache, saveProfileCache } from './profile-cache.ts';
import type { AccuracyOutcome } from './accuracy-runs.ts';

/** The workload a point runs: a benchmark, a model's generated workload (stage, lengths), or a trace file. */
export interface PointWorkload {
  name: string;
  bench: boolean;
  stage: string;
  seqLen: number;
  genTokens?: number;
  trace?: string;
  scope?: 'attention' | 'e2e';
}

/**
 * The design point: the base point of a one-point space (dse/space.ts SpaceSchema: default algo
 * block, the preset's hardware), built from the config schemas alone (no YAML, no sweep schemas),
 * with the `--set` values applied.
 */
export function designPoint(w: PointWorkload, preset: string, sets: string[]): DesignPoint {
  const space = {
    workload: WorkloadSchema.parse({
      ...(w.bench ? { benchmark: w.name } : { model: w.name, stage: w.stage, seqLen: w.seqLen, genTokens: w.genTokens ?? 32, ...(w.trace ? { trace: w.trace } : {}) }),
      ...(w.scope ? { scope: w.scope } : {}),
    }),
    hardware: { preset },
    algo: {},
  };
  try {
    return applyParams(basePoint(space), parseSets(sets));
  } catch (e) {
    if (e instanceof InputError) throw e;
    throw new InputError((e as Error).message);
  }
}

/** An error reading or running a trace workload as bad input naming `--trace` (other errors as they are). */
export function traceInputError(point: DesignPoint, e: unknown): unknown {
  if (!point.workload.trace || e instanceof InputError) return e;
  return new InputError(`--trace ${point.workload.trace}: ${(e as Error).message.split('\n')[0]}`);
}

/** The hardware model on the point; an error of a trace workload names `--trace`. */
export function runHardware(point: DesignPoint, fid: FidelityName, acc: AccuracyOutcome | undefined, seed: number | undefined, sets: readonly string[] = []): HwResult {
  // the cycle model's DRAM stream profiles, kept between processes (dse/profile-cache.ts)
  const cacheFile = fid === 'cycle' ? loadProfileCache() : undefined;
  let r: HwResult;
  try {
    r = evaluateHardware(point, { fidelity: fid, overrides: acc?.overrides, seed });
    saveProfileCache(cacheFile);
  } catch (e) {
    throw traceInputError(point, e);
  }
  const beyond = nonFiniteMetrics(pickMetrics(r));
  if (beyond) throw new InputError(`the hardware model computed ${beyond} on this point: a value given is beyond the range the model computes in doubles${sets.length > 0 ? ` (${sets.map((s) => `--set ${s}`).join(', ')})` : ''}`);
  return r;
}

/**
 * `simulate --trace FILE --fidelity FID` without other options: the trace's point on the `spatten`
 * preset (the command's defaults: --workload gpt2-medium, generation, seqLen 992; the trace fixes
 * model, stage and lengths), its word widths checked, and the hardware model's result.
 */
export function simulateTrace(file: string, fid: FidelityName): { point: DesignPoint; r: HwResult } {
  const point = designPoint({ name: 'gpt2-medium', bench: false, stage: 'generation', seqLen: 992, trace: file }, 'spatten', []);
  try {
    checkWordBits(point, []);
  } catch (e) {
    throw traceInputError(point, e);
  }
  return { point, r: runHardware(point, fid, undefined, undefined) };
}
