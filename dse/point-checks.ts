/**
 * Checks of one design point's workload once `--set` is applied (`simulate`, `compare`): what the
 * per-field schemas cannot see, as one-line InputErrors (exit 2) naming the option that caused
 * them, before any model runs. (A space file gets the same checks from dse/space-checks.ts.)
 */
import { WorkloadSchema, type DesignPoint, type HardwareConfig, type WorkloadConfig } from '../sim/schema.ts';
import { minBufferKB } from '../sim/cycle/geometry.ts';
import path from 'node:path';
import { fcBits, resolveWorkload } from '../sim/index.ts';
import type { HeadRequest, Workload } from '../sim/workload/types.ts';
import { MODEL_SHAPES } from '../sim/workload/models.ts';
import { clipped } from './cli-util.ts';
import { InputError } from './errors.ts';

/** The LSB-refetch knobs: progressive quantization, which an encoder (BERT, quantized statically) never runs. */
export const LSB_KNOBS = ['algo.lsbBits', 'algo.lsbThreshold', 'algo.lsbRefetchFraction'];
/** The accuracy engine's KV-token selection knobs (sim/nn/generate.ts): only its language models run them. */
export const LM_TOKEN_KNOBS = ['algo.tokenPolicy', 'algo.tokenScore', 'algo.startTokens', 'algo.recentTokens'];

/** The bound of a zod number schema (for option messages): `.max()` of WorkloadSchema fields. */
export function maxOf(field: 'seqLen' | 'genTokens'): number {
  const r = WorkloadSchema.shape[field].safeParse(Number.MAX_SAFE_INTEGER);
  const issue = r.success ? undefined : (r.error.issues[0] as { maximum?: number | bigint });
  return issue?.maximum !== undefined ? Number(issue.maximum) : Number.MAX_SAFE_INTEGER;
}

/** The last `--set <key>=…` among `sets`, as the user gave it, or undefined. */
export function lastSet(sets: readonly string[], key: string): string | undefined {
  const s = sets.filter((x) => x.slice(0, Math.max(0, x.indexOf('='))).trim() === key).at(-1);
  return s === undefined ? undefined : `--set ${clipped(s)}`;
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

/** What a point's data needs of the on-chip word: the width, why, and the fields that set it. */
export interface WordNeed {
  bits: number;
  why: string;
  fields: string[];
}

/**
 * The narrowest on-chip word a point's data fits, and the field that sets it. Both hardware models
 * store one key or value element per word (a buffer line is M × hw.wordBits bits:
 * sim/hw/pipeline-math.ts bufferLines, sim/cycle/geometry.ts), and the LSB pass writes the
 * refetched bits into the same word below the MSBs (sim/cycle/requests.ts: lsbBits / wordBits of a
 * line; the paper's converter turns 4-, 8- or 12-bit DRAM data into the 12-bit word and
 * concatenates MSBs with LSBs, §IV-D; the official StageBitwidthConvert puts the MSB code at the
 * top of the word and the LSB code at [3:0]); the e2e FC weights go through the same multipliers,
 * one MAC per multiplier per cycle (sim/hw/fc.ts). The models do not check the width: data wider
 * than the word is priced as if it fitted. The query is not stored in the buffers: a wider one is
 * narrowed (the released GPT-2 traces read 16-bit Q on the 12-bit design), so it sets no minimum.
 * A trace's rows carry the widths (`traceWordNeed`); reading it may throw its TraceError.
 */
export function wordBitsNeed(p: DesignPoint): WordNeed {
  const { msbBits, lsbBits, valueBits } = p.algo;
  const needs: WordNeed[] = p.workload.trace
    ? [...traceWordNeed(resolveWorkload(p), p.workload.trace)]
    : [
        { bits: msbBits + lsbBits, fields: ['algo.msbBits', 'algo.lsbBits'], why: lsbBits > 0 ? `the key, algo.msbBits + algo.lsbBits = ${msbBits} + ${lsbBits} bits, is stored in one word (the refetched LSBs go below the MSBs)` : `the key, algo.msbBits = ${msbBits} bits, is stored in one word` },
        { bits: valueBits || msbBits, fields: ['algo.valueBits', 'algo.msbBits'], why: valueBits ? `the value, algo.valueBits = ${valueBits} bits, is stored in one word` : `the value, algo.msbBits = ${msbBits} bits (algo.valueBits 0), is stored in one word` },
      ];
  if (p.workload.scope === 'e2e') needs.push({ bits: fcBits(p), fields: ['algo.fcWeightBits', 'workload.scope'], why: `the FC weights, algo.fcWeightBits = ${fcBits(p)} bits (scope e2e), go through the multipliers, one MAC per cycle` });
  return needs.reduce((a, b) => (b.bits > a.bits ? b : a));
}

/** `traceWordNeed` per parsed trace (the analytical and cycle models' trace cache keeps the object while the file is unchanged). */
const traceNeeds = new WeakMap<Workload, readonly WordNeed[]>();

/**
 * What a trace's rows put in one word (sim/workload/trace.ts maps its bit columns: quant_key_bit
 * → keyBits, auto_requant_incre → lsbBits, if_requant → refetch, quant_value_bit → valueBits; the
 * official mapping reads −1, 10- and 12-bit keys as 8 bits with a forced 4-bit LSB pass): a key is
 * keyBits wide, keyBits + lsbBits on a row whose LSB pass is taken (the models write the LSBs into
 * the word only then: refetch × lsbBits, sim/hw/reference.ts keyW, sim/cycle/requests.ts); a value
 * valueBits. The widest key and the widest value, each naming its first row.
 */
export function traceWordNeed(w: Workload, file: string): readonly WordNeed[] {
  let needs = traceNeeds.get(w);
  if (needs) return needs;
  let key = w.requests[0];
  let val = w.requests[0];
  const keyWord = (r: HeadRequest) => r.keyBits + (r.refetch > 0 ? r.lsbBits : 0);
  for (const r of w.requests) {
    if (keyWord(r) > keyWord(key)) key = r;
    if (r.valueBits > val.valueBits) val = r;
  }
  const row = (r: HeadRequest) => `from iteration ${r.iteration}, layer ${r.layer}, head ${r.head}`;
  const name = `the trace ${path.basename(file)}'s`;
  const lsb = key.refetch > 0 && key.lsbBits > 0;
  needs = [
    { bits: keyWord(key), fields: ['workload.trace'], why: lsb ? `${name} keys are ${key.keyBits}-bit MSBs + ${key.lsbBits}-bit refetched LSBs = ${keyWord(key)} bits in one word (${row(key)})` : `${name} keys are ${key.keyBits} bits in one word (${row(key)})` },
    { bits: val.valueBits, fields: ['workload.trace'], why: `${name} values are ${val.valueBits} bits in one word (${row(val)})` },
  ];
  traceNeeds.set(w, needs);
  return needs;
}

/** A point whose hw.wordBits cannot hold its data: what it needs (`wordBitsNeed`) and why, as one sentence; undefined when it fits. */
export function wordBitsShortfall(p: DesignPoint): { need: WordNeed; problem: string } | undefined {
  const need = wordBitsNeed(p);
  if (p.hw.wordBits >= need.bits) return undefined;
  const narrow = need.fields[0] === 'workload.trace' ? 'the trace fixes its widths' : 'or narrow the data';
  return { need, problem: `hw.wordBits ${p.hw.wordBits} is below the ${need.bits} bits this point needs: ${need.why}; hw.wordBits must be at least ${need.bits} (${narrow})` };
}

/** Why a point's hw.wordBits cannot hold its data (`wordBitsShortfall`), or undefined. */
export const wordBitsProblem = (p: DesignPoint): string | undefined => wordBitsShortfall(p)?.problem;

/** A design point whose data does not fit hw.wordBits (`wordBitsShortfall`): an InputError naming the --set that caused it, when one did. */
export function checkWordBits(p: DesignPoint, sets: readonly string[]): void {
  const short = wordBitsShortfall(p);
  if (!short) return;
  const cause = ['hw.wordBits', ...short.need.fields].map((k) => lastSet(sets, k)).filter((s) => s !== undefined);
  throw new InputError(`${cause.length ? cause.join(', ') + ': ' : ''}${short.problem}`);
}
