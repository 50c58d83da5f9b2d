/**
 * Examples per engine batch: a classifier's emails go 32 at a time, an LM's windows 16 at a time
 * (sim/nn/api.ts). An accuracy run continues another only from a whole number of batches, so the
 * search's accuracy rungs (dse/fidelity.ts) are sized in these units. No imports: the CLI's
 * coordinator reads it without loading the engine.
 */
export const BATCH = { bert: 32, gpt: 16 } as const;
