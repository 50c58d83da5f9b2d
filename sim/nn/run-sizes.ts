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
