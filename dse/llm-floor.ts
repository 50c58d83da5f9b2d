/**
 * The llm token policy keeps at least its protected windows (startTokens + recentTokens) in every
 * head's cache, so a tokenKeep asking for fewer tokens runs the same point as the windows alone
 * (sim/nn/llm-budget.ts). Said as a note by a space (dse/space.ts) and by `accuracy`.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { modelDirOf } from '../sim/nn/paths.ts';
import { configFromHf } from '../sim/nn/hfconfig.ts';
import { GEN_TOKENS, lmPromptTokens } from '../sim/nn/run-sizes.ts';
import { belowProtected, LLM_WINDOW_DEFAULTS } from '../sim/nn/llm-budget.ts';
import type { ParamDomain } from './driver.ts';
import { valuesOf } from './space-checks.ts';

/** The tokens of a language model's evaluation windows (its positions, at most 256), or undefined when it is no readable LM. */
export function lmWindowTokens(model: string): number | undefined {
  const dir = modelDirOf(model);
  if (!dir) return undefined;
  try {
    const c = configFromHf(JSON.parse(readFileSync(path.join(dir, 'config.json'), 'utf8')) as Record<string, unknown>);
    return c.kind === 'gpt' ? lmPromptTokens(c.maxPositions) + GEN_TOKENS : undefined;
  } catch {
    return undefined; // the space's and the command's own checks name what is wrong with the folder
  }
}

/** The floor, in words: how many tokens the windows keep of `model`'s T-token windows, and the tokenKeep that is. */
function floorText(model: string, T: number, start: number, recent: number): string {
  const s = start + recent;
  return `under the llm token policy every head keeps at least startTokens + recentTokens = ${start} + ${recent} = ${s} tokens of ${model}'s ${T}-token windows (tokenKeep ${(s / T).toFixed(3)})`;
}

const FURTHER = 'lower algo.recentTokens (or algo.startTokens) to prune further';

/** `accuracy`'s note for one run's tokenKeep under the llm policy; undefined when the budget is its own. */
export function llmFloorNote(model: string, algo: { tokenPolicy?: string; tokenKeep: number; startTokens?: number; recentTokens?: number }): string | undefined {
  if (algo.tokenPolicy !== 'llm') return undefined;
  const T = lmWindowTokens(model);
  const start = algo.startTokens ?? LLM_WINDOW_DEFAULTS.startTokens;
  const recent = algo.recentTokens ?? LLM_WINDOW_DEFAULTS.recentTokens;
  if (T === undefined || !belowProtected(start, recent, algo.tokenKeep, T)) return undefined;
  return `note: algo.tokenKeep ${algo.tokenKeep}: ${floorText(model, T, start, recent)}, so the run keeps those and ranks none; ${FURTHER}\n`;
}

interface SpaceAlgo {
  accuracy?: { model: string };
  algo: { tokenPolicy?: string; tokenKeep?: number; startTokens?: number; recentTokens?: number };
}

/**
 * A space's note: tokenKeep values (swept, or the algo block's) below the floor at its llm points
 * run the same points. Undefined when none is below, when no point uses llm, when the windows are
 * swept (the floor then moves with them) or the accuracy model's windows cannot be read.
 */
export function llmFloorSpaceNote(space: SpaceAlgo, domains: ParamDomain[]): { path: (string | number)[]; text: string } | undefined {
  const dom = (k: string) => domains.find((d) => d.key === k);
  const policies = valuesOf('algo.tokenPolicy', space.algo.tokenPolicy ?? 'cascade', domains);
  if (!space.accuracy || !policies.includes('llm') || dom('algo.startTokens') || dom('algo.recentTokens')) return undefined;
  const T = lmWindowTokens(space.accuracy.model);
  if (T === undefined) return undefined;
  const start = space.algo.startTokens ?? LLM_WINDOW_DEFAULTS.startTokens;
  const recent = space.algo.recentTokens ?? LLM_WINDOW_DEFAULTS.recentTokens;
  const below = (k: number) => belowProtected(start, recent, k, T);
  const keep = dom('algo.tokenKeep');
  let which: string;
  if (!keep) {
    if (space.algo.tokenKeep === undefined || !below(space.algo.tokenKeep)) return undefined;
    which = `${space.algo.tokenKeep} keeps those and ranks none`;
  } else if (keep.kind === 'choice') {
    const low = keep.values.map(Number).filter(below);
    if (low.length === 0) return undefined;
    which = low.length === 1 ? `its value ${low[0]} keeps those and ranks none` : `its values ${low.join(', ')} keep those and rank none: they run the same points`;
  } else {
    if (!below(keep.low)) return undefined;
    which = `its values from ${keep.low} up to about ${((start + recent) / T).toFixed(3)} keep those and rank none: they run the same points`;
  }
  const at = policies.every((p) => p === 'llm') ? '' : ' (at the points with algo.tokenPolicy llm)';
  const path = keep ? ['parameters', 'algo.tokenKeep'] : ['algo', 'tokenKeep'];
  return { path, text: `${path.join('.')}: ${floorText(space.accuracy.model, T, start, recent)}${at}; ${which}; ${FURTHER}` };
}
