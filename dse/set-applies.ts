/**
 * `--set` knobs of `simulate` and `compare` that change no number of the point, refused by name as
 * a space file refuses them (dse/space-checks.ts, applicabilityIssues): the FC/FFN weight width
 * without the e2e scope, the LSB-refetch knobs on an encoder (BERT is quantized statically), and
 * the accuracy engine's token-selection knobs without a language model run by `--accuracy` (the
 * hardware models take the keep ratios it measures), and the cascade's schedule and ranking knobs
 * (dse/llm-inert.ts) beside --set algo.tokenPolicy=llm, as `accuracy` refuses them. Accepted, the
 * point's `algo` line named the knob beside the numbers of the point without it.
 */
import type { DesignPoint } from '../sim/schema.ts';
import { InputError } from './errors.ts';
import { isEncoder, lastSet, LM_TOKEN_KNOBS, LSB_KNOBS } from './point-checks.ts';
import { LLM_INERT, LLM_INERT_WHY } from './llm-inert.ts';

/** The last `--set` of any of `keys`, as the user wrote it (`--set k=v`). */
const firstGiven = (sets: readonly string[], keys: string[]) => keys.map((k) => lastSet(sets, k)).find((s) => s !== undefined);

/** What the command offers: the `--accuracy` model with its kind ('classifier', 'lm'; another kind, a model that does not resolve, is left to the check that loads it), and whether it has `--accuracy` and `--scope e2e` to suggest. */
export interface SetContext {
  accuracy?: { model: string; kind: string };
  offersAccuracy: boolean;
  offersE2e: boolean;
}

/** Throws an InputError for the first `--set` that does not apply to `point`. */
export function checkSetsApply(sets: readonly string[], point: DesignPoint, ctx: SetContext): void {
  const kind = ctx.accuracy?.kind;
  const fc = firstGiven(sets, ['algo.fcWeightBits']);
  if (fc && point.workload.scope !== 'e2e') throw new InputError(`${fc}: does not apply: the FC/FFN weight width counts only in SpAtten-e2e (scope e2e), and this point runs the attention layers only; ${ctx.offersE2e ? 'add --scope e2e, or drop it' : 'drop it'}`);
  // (lsbBits=0 on an encoder says what it runs anyway: left alone)
  const lsb = point.algo.lsbBits > 0 ? firstGiven(sets, LSB_KNOBS) : firstGiven(sets, LSB_KNOBS.slice(1));
  if (lsb && !point.workload.trace && isEncoder(point.workload) && kind !== 'lm') throw new InputError(`${lsb}: does not apply: ${point.workload.model} is an encoder, quantized statically (no LSB refetch); drop it`);
  const token = firstGiven(sets, LM_TOKEN_KNOBS);
  if (token && (kind === undefined || kind === 'classifier')) {
    const has = ctx.accuracy ? `--accuracy ${ctx.accuracy.model} is a classifier` : 'no --accuracy model runs';
    const how = ctx.offersAccuracy ? 'add --accuracy sotu-char (or another language model), or drop it' : 'drop it';
    throw new InputError(`${token}: does not apply: the token selection runs in the accuracy engine's language model only (the hardware models take the keep ratios it measures), and ${has}; ${how}`);
  }
  const window = firstGiven(sets, ['algo.startTokens', 'algo.recentTokens']);
  if (window && kind === 'lm' && point.algo.tokenPolicy !== 'llm') throw new InputError(`${window}: does not apply: it belongs to the llm token policy, and this point uses ${point.algo.tokenPolicy ?? 'cascade'}; add --set algo.tokenPolicy=llm, or drop it`);
  const cascade = firstGiven(sets, LLM_INERT.map((k) => `algo.${k}`));
  if (cascade && kind === 'lm' && point.algo.tokenPolicy === 'llm') throw new InputError(`${cascade}: does not apply: ${LLM_INERT_WHY}; drop it, or drop --set algo.tokenPolicy=llm`);
}

/**
 * Notes (the point runs) for LSB knobs that change no number of a decoder point, as a space file
 * notes them (dse/space-checks.ts lsbThresholdNote): with lsbBits 0 nothing refetches, and the
 * threshold acts only in the accuracy engine's language model (the hardware models read
 * algo.lsbRefetchFraction). On an encoder they are refused (`checkSetsApply`).
 */
export function setNotes(sets: readonly string[], point: DesignPoint, ctx: SetContext): string[] {
  if (point.workload.trace || isEncoder(point.workload)) return [];
  const off = point.algo.lsbBits === 0;
  const knob = firstGiven(sets, off ? ['algo.lsbThreshold', 'algo.lsbRefetchFraction'] : ['algo.lsbThreshold']);
  if (!knob) return [];
  if (off) return [`${knob}: changes no number here: algo.lsbBits is 0 (progressive quantization off), so no head refetches its LSBs; add --set algo.lsbBits=4 (the word must hold the key's MSBs + 4 bits)`];
  if (ctx.accuracy?.kind === 'lm') return [];
  const has = ctx.accuracy ? `--accuracy ${ctx.accuracy.model} is a classifier` : 'no --accuracy model runs';
  return [`${knob}: changes no number here: the hardware models price LSB refetches with algo.lsbRefetchFraction (${point.algo.lsbRefetchFraction}), and the threshold acts only in the accuracy engine's language model, which measures that fraction; ${has}: set algo.lsbRefetchFraction${ctx.offersAccuracy ? ', or add --accuracy sotu-char' : ''}`];
}
