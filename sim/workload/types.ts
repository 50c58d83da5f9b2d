/** The work a SpAtten run does, as a stream of head requests (one per iteration/layer/head). */
import type { Stage } from '../schema.ts';
import type { ModelShape } from './models.ts';

/**
 * One head request: one head of one layer in one iteration (generation) or in the single pass of
 * the summarization stage. Mirrors one row of the official 17-column workload CSV, plus the
 * fields the official schema leaves implicit (queries, values fetched vs multiplied).
 */
export interface HeadRequest {
  iteration: number;
  layer: number;
  head: number;
  /** Head dimension D. */
  D: number;
  /** Context length L (tokens in the KV cache / sentence). */
  L: number;
  /** Queries processed against these keys: 1 in generation, the alive tokens in summarization. */
  queries: number;
  /** Keys fetched from DRAM (alive after cascade token pruning). */
  keys: number;
  /** Values fetched from DRAM (generation: after local V pruning; summarization: all alive V). */
  valuesFetched: number;
  /** Values multiplied per query in prob·V (after local V pruning). */
  valuesPerQuery: number;
  /** Key (and query-side score) MSB width in DRAM. */
  keyBits: number;
  /** LSB width fetched on a refetch; 0 = progressive quantization off. */
  lsbBits: number;
  /** Probability in [0, 1] that this head re-fetches the LSBs (0/1 in a measured trace). */
  refetch: number;
  /** Refetch threshold on the max attention probability, or -1 when off. */
  lsbThreshold: number;
  valueBits: number;
  queryBits: number;
  /** Token top-k (cascade) run after this row: k kept, or -1 when none. */
  topk: number;
  /** Causal attention inside this request (GPT-2 prompt): query j sees j+1 keys. */
  causal: boolean;
}

export interface Workload {
  name: string;
  model: ModelShape;
  stage: Stage;
  /** Iterations (generation steps); 1 for summarization. */
  iterations: number;
  /** K/V reused from SRAM across queries (summarization) or streamed once per query (generation). */
  reuseKV: boolean;
  requests: HeadRequest[];
  source: 'generated' | 'trace';
  /** Free-form provenance (algorithm settings or the trace's trailing config line). */
  provenance: string;
}
