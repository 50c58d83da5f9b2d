/**
 * The accuracy engine's run sizes, read by the engine (sim/nn/api.ts) and by the coordinator's
 * accuracy rungs (dse/fidelity.ts). No imports: the coordinator reads them without loading the engine.
 */

/**
 * Examples per engine batch: a classifier's emails go 32 at a time, an LM's windows 16 at a time.
 * A run continues another only from a whole number of batches, so the rungs are sized in these units.
 */
export const BATCH = { bert: 32, gpt: 16 } as const;

/** Examples of a run without maxExamples: an LM's first 64 test windows; a classifier's whole spam-assassin test split (data.ts; test/nn-data.test.ts checks the count). */
export const DEFAULT_EXAMPLES = { bert: 1209, gpt: 64 } as const;

/** Generation-stage iterations of an LM evaluation window (teacher forced; the perplexity's predictions). */
export const GEN_TOKENS = 32;

/**
 * The prompt of an LM evaluation window for a model of `maxPositions` positions: the context
 * (at most 256 tokens) less the GEN_TOKENS generated ones; below 1 the model cannot be evaluated.
 */
export function lmPromptTokens(maxPositions: number): number {
  return Math.min(maxPositions, 256) - GEN_TOKENS;
}

/** Why an LM of `maxPositions` positions cannot be evaluated (its config.json `file`), or undefined. */
export function lmPositionsProblem(maxPositions: number, file: string): string | undefined {
  if (lmPromptTokens(maxPositions) >= 1) return undefined;
  return `${file}: 'n_positions' is ${maxPositions}; the LM evaluation needs a prompt of at least 1 token plus ${GEN_TOKENS} generated tokens: use a model with n_positions ≥ ${GEN_TOKENS + 1}`;
}
