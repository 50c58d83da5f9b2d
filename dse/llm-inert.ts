/**
 * The cascade's schedule and ranking knobs, which the llm token policy does not read (sim/nn/generate.ts:
 * its budget is max(start + recent, keepCount(context, tokenKeep)) in every layer, ranked by one
 * forward's probabilities): a run with any of them gives the same numbers (test/accuracy-llm-inert.test.ts).
 * Refused under llm by `accuracy`/`logits` (--set), `simulate --accuracy` (--set) and a space file.
 */
export const LLM_INERT = ['tokenScore', 'tokenSpread', 'tokenMinKeep', 'tokenFrontFrac'] as const;
/** Why an LLM_INERT knob changes nothing under the llm token policy (one sentence for every command). */
export const LLM_INERT_WHY = "it shapes the cascade's per-layer schedule and ranking, and the llm token policy has neither: every head of every layer keeps a fixed budget (start + recent + the top of one forward's probabilities; algo.tokenKeep sizes it)";
