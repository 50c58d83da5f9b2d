/**
 * The llm token policy's cache budget (sim/nn/generate.ts), in a module of its own so that the
 * space checks and the `accuracy` command can say when a tokenKeep asks for less than the
 * protected windows keep, without loading the engine.
 */
import { keepCount } from '../workload/schedule.ts';

/**
 * The protected windows when a point does not set them: the official SpAtten-LLM cache keeps the
 * first 4 tokens (attention sinks) and a recent window (mit-han-lab/spatten, spatten_llm).
 */
export const LLM_WINDOW_DEFAULTS = { startTokens: 4, recentTokens: 32 } as const;

/** The cache budget of one head for a context of T tokens: never below the protected windows. */
export function llmBudget(startTokens: number, recentTokens: number, tokenKeep: number, T: number): number {
  return Math.max(startTokens + recentTokens, keepCount(T, tokenKeep));
}

/**
 * True when `tokenKeep` asks for fewer tokens than the protected windows hold: the budget is
 * start + recent whatever its value, so every such value runs the same point.
 */
export function belowProtected(startTokens: number, recentTokens: number, tokenKeep: number, T: number): boolean {
  return keepCount(T, tokenKeep) < startTokens + recentTokens;
}
