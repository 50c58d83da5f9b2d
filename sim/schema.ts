/**
 * The configuration schema: the single source of truth for hardware, algorithm and workload
 * config types. Every other module takes its types from here (`z.infer`), the YAML space schema
 * (dse/space.ts) composes these objects, and `spatten-dse schema` prints them as JSON Schema.
 *
 * Defaults of `HardwareSchema` are the paper's full SpAtten (Table I); defaults of `AlgoSchema`
 * are the dense, unpruned, 12-bit static baseline so that every technique is opt-in.
 */
import * as z from '../core/zod.ts';
import { TOPK_FILTERS, TOPK_MODELS } from './hw/topk.ts';

/** Address mappings inside an HBM2 channel (Ramulator2 names, most significant field first). */
export const DRAM_MAPPINGS = ['RoBaRaCoCh', 'RoBaCoRaCh'] as const;
export type DramMapping = (typeof DRAM_MAPPINGS)[number];
import { BENCHMARK_NAMES } from './workload/benchmarks.ts';
import { TOKEN_MIN_KEEP } from './workload/schedule.ts';

export const MODEL_NAMES = ['bert-base', 'bert-large', 'gpt2-small', 'gpt2-medium'] as const;
export type ModelName = (typeof MODEL_NAMES)[number];
export const STAGES = ['summarization', 'generation'] as const;
export type Stage = (typeof STAGES)[number];

/** A boolean switch; also accepts the strings "true" / "false" (`--set hw.dramRefresh=false`). */
const flag = (def: boolean) => z.preprocess((v) => (v === 'true' ? true : v === 'false' ? false : v), z.boolean()).default(def);

export const HardwareSchema = z
  .object({
    clockGHz: z.number().positive().max(10).default(1).describe('Accelerator clock in GHz (paper: 1 GHz)'),
    qkMultipliers: z.number().int().min(1).max(65536).default(512).describe('12-bit multipliers in the Q·K array'),
    pvMultipliers: z.number().int().min(1).max(65536).default(512).describe('12-bit multipliers in the prob·V array'),
    topkParallelism: z.number().int().min(1).max(1024).default(16).describe('Comparators per array in the top-k engine'),
    softmaxParallelism: z
      .number()
      .int()
      .min(0)
      .max(1024)
      .default(0)
      .describe('Softmax lanes; 0 = match the Q·K output rate, qkMultipliers/64 (8 for the paper design, as the official RTL sizes them)'),
    keySramKB: z.number().positive().max(65536).default(196).describe("Key SRAM capacity in the paper's KB: 196 KB = 2 × 1024 × 64 × 12 b = 196,608 B, so 1 KB = 196,608 / 196 ≈ 1,003.1 B (sim/cycle/geometry.ts PAPER_KB_BYTES); the buffer's lines and its area (sim/hw/tables/area.json sramMm2PerKB per KB) are computed in these units. The fetcher FIFOs (hw.fetcherPorts) are in KB of 1,024 B"),
    valueSramKB: z.number().positive().max(65536).default(196).describe("Value SRAM capacity in the paper's KB, as hw.keySramKB: 196 KB = 196,608 B, 1 KB ≈ 1,003.1 B (not 1,024 B)"),
    dramChannels: z.number().int().min(1).max(256).default(16).describe('HBM2 channels'),
    dramChannelGBps: z.number().positive().max(1024).default(32).describe('Bandwidth per DRAM channel, GB/s'),
    fetcherPorts: z.number().int().min(1).max(1024).default(32).describe('Q-K-V fetcher master ports (32 B per port per cycle); each port has 1.5 KB of address and data FIFOs, KB of 1,024 B (1,536 B), priced as SRAM'),
    inFlight: z.number().int().min(1).max(64).default(8).describe('Head requests in flight in the pipeline'),
    wordBits: z.number().int().min(4).max(32).default(12).describe('On-chip fixed-point word width'),
    // Timing switches, honoured by both models (sim/cycle/README.md "Switches").
    topkModel: z
      .enum(TOPK_MODELS)
      .default('paper')
      .describe("Top-k engine timing: 'paper' (Alg. 3 / Fig. 9: first quick-select round on arrival, filter stage pipelined with the next selection) or 'official-rtl' (the RTL harness's TopKDummy: ⌈n/P⌉+3 per round, then an S-wide drain)"),
    topkFilter: z.enum(TOPK_FILTERS).default('comparators').describe("Width of the paper engine's filter stage: 'comparators' = P, 'qk' = the Q·K score rate S = M/64 (ignored by 'official-rtl', which drains at S)"),
    gateTokenTopk: flag(false).describe("The next layer's requests wait for the cascade token top-k of the previous layer (its output is their key list); default false, as the RTL harness"),
    dramRefresh: flag(true).describe('HBM2 all-bank refresh (nRFC 350 ns every nREFI 3.9 µs)'),
    dramMapping: z
      .enum(DRAM_MAPPINGS)
      .default('RoBaRaCoCh')
      .describe("Address mapping inside a channel: 'RoBaRaCoCh' (the official Ramulator2 configuration: 512 B per pseudo-channel row chunk) or 'RoBaCoRaCh' (pseudo-channels interleaved every 32 B)"),
    dramQueueDepth: z.number().int().min(1).max(1024).default(16).describe("Outstanding 32-B requests per channel (the official DPI shim: 16; Ramulator2's default read queue: 32)"),
  })
  .strict();
export type HardwareConfig = z.infer<typeof HardwareSchema>;

/** Head dimension the hardware is built around (query register 64 × 12 b, Table I). */
export const HW_HEAD_DIM = 64;

/**
 * Softmax lanes in effect: the configured number, or (0 = auto) one per Q·K score produced per
 * cycle, S = qkMultipliers / 64 — the official RTL's numSoftMaxUnit = M / minD (Table I: 8).
 */
export function softmaxLanes(hw: HardwareConfig): number {
  return hw.softmaxParallelism > 0 ? hw.softmaxParallelism : Math.max(1, Math.floor(hw.qkMultipliers / HW_HEAD_DIM));
}

export const AlgoSchema = z
  .object({
    tokenKeep: z.number().gt(0).max(1).default(1).describe('Average fraction of tokens kept over the token-pruned layers (1 − r_avg)'),
    tokenSpread: z.number().min(0).max(1).default(0.5).describe('Per-layer ratio spread s: r_start = r_avg(1−s), r_end = r_avg(1+s)'),
    tokenMinKeep: z.number().gt(0).max(1).default(TOKEN_MIN_KEEP).describe('Fewest tokens a pruned layer keeps, as a fraction of the original: the spread shrinks so that no layer goes below it (the released GPT-2 workloads keep ≥ ~10% of the keys in every layer)'),
    headKeep: z.number().gt(0).max(1).default(1).describe('Average fraction of heads kept over the head-pruned layers'),
    headSpread: z.number().min(0).max(1).default(0.5).describe('Per-layer head ratio spread'),
    valueKeep: z.number().gt(0).max(1).default(1).describe('Local V pruning: fraction of the kept tokens whose V is fetched, per head'),
    tokenFrontFrac: z.number().min(0).max(1).default(0.15).describe('Front fraction of layers never token-pruned (paper: 15%)'),
    headFrontFrac: z.number().min(0).max(1).default(0.3).describe('Front fraction of layers never head-pruned (paper: 30%)'),
    msbBits: z.number().int().min(2).max(32).default(12).describe('Key MSB width fetched first, in bits (paper: 4-12; also the value width when valueBits is 0). The accuracy engine quantizes keys to msbBits + lsbBits bits at every width below 32, 16 included; 32 = unquantized. At least 2 (a signed 1-bit code has no nonzero level)'),
    lsbBits: z.number().int().min(0).max(8).default(0).describe('LSB width refetched on a flat distribution; 0 = progressive quantization off'),
    lsbThreshold: z.number().min(0).max(1).default(0.1).describe('Refetch LSBs when max attention probability < threshold'),
    lsbRefetchFraction: z.number().min(0).max(1).default(0.059).describe('Fraction of heads that refetch LSBs (paper: 5.9%); measured by the accuracy engine when it runs'),
    valueBits: z
      .union([z.literal(0), z.number().int().min(2, { error: 'expected 0 (same as msbBits) or a width from 2 to 32 bits' }).max(32)], { error: 'expected 0 (same as msbBits) or a width from 2 to 32 bits' })
      .default(0)
      .describe('Value width in DRAM; 0 = same as msbBits, else 2..32'),
    queryBits: z.number().int().min(2).max(32).default(12).describe('Query width read from DRAM; at least 2 (a signed 1-bit code has no nonzero level)'),
    // Optional (no default) so that existing configs parse and hash exactly as before; absent = cascade.
    tokenPolicy: z.enum(['cascade', 'llm']).optional().describe("LM KV-token selection: 'cascade' (paper, default) or 'llm' (official SpAtten-LLM cache: per-head top-k, fixed budget tokenKeep × context)"),
    tokenScore: z.enum(['sum', 'mean']).optional().describe("Cascade token score: 'sum' of attention probabilities (paper Alg. 2 as written) or 'mean' (that sum over the number of rows that saw the token: a running average, i.e. the previous importance rescaled at every step — the released GPT-2 workloads rescale it every iteration, by an unstated rule). Default: 'mean' for causal LMs (a causal sum ranks tokens by age), 'sum' for BERT (both rank alike there)"),
    startTokens: z.number().int().min(0).max(4096).optional().describe('llm policy: first tokens always kept (default 4)'),
    recentTokens: z.number().int().min(1).max(4096).optional().describe('llm policy: most recent tokens always kept, incl. the current one (default 32)'),
    fcWeightBits: z
      .union([z.literal(8), z.literal(12)])
      .optional()
      .describe('SpAtten-e2e FC/FFN weight width in DRAM, 8 or 12 bits (§V-B); default 8; only used with workload.scope e2e'),
  })
  .strict();
export type AlgoConfig = z.infer<typeof AlgoSchema>;

export const WorkloadSchema = z
  .object({
    model: z.enum(MODEL_NAMES).default('gpt2-medium'),
    stage: z.enum(STAGES).default('generation'),
    seqLen: z.number().int().min(1).max(16384).default(992).describe('Sequence length (summarization) or prompt length (generation)'),
    genTokens: z.number().int().min(1).max(4096).default(32).describe('Tokens generated (generation stage)'),
    trace: z.string().min(1).optional().describe('Official 17-column workload CSV; when set it replaces the generated workload'),
    scope: z
      .enum(['attention', 'e2e'])
      .optional()
      .describe('attention (default): the attention layers only, as Fig. 14; e2e: SpAtten-e2e, the FC/FFN layers too on the reused multiplier arrays (sim/hw/fc.ts)'),
    benchmark: z
      .enum(BENCHMARK_NAMES as [string, ...string[]])
      .optional()
      .describe("One of the paper's 30 benchmarks (sim/workload/benchmarks.json), e.g. bert-base-cola: sets model, stage, seqLen, genTokens and the base algorithm settings"),
  })
  .strict();
export type WorkloadConfig = z.infer<typeof WorkloadSchema>;

/** Full design point: everything the models need. */
export interface DesignPoint {
  hw: HardwareConfig;
  algo: AlgoConfig;
  workload: WorkloadConfig;
}

export const defaultHardware = (): HardwareConfig => HardwareSchema.parse({});
export const defaultAlgo = (): AlgoConfig => AlgoSchema.parse({});
export const defaultWorkload = (): WorkloadConfig => WorkloadSchema.parse({});

/** Presets, as partial overrides of the defaults. */
export const HARDWARE_PRESETS: Record<string, Partial<HardwareConfig>> = {
  spatten: {},
  // SpAtten1/8 (§V-A, Table III): "a 1/8-scale design": 128 multipliers in all (64 + 64) and
  // 64 GB/s (2 × 32 GB/s) are stated; SRAM, top-k, softmax and fetcher sizes are not (paper §7
  // gap 15), so every other resource is scaled by 1/8 too. Area: 2.55 mm² with Fig. 13a's laws
  // against the stated 1.55 mm². No 1/8 reading of the SRAMs reaches 1.55 with the full design's
  // SRAM macros: whatever the split of Fig. 13a's Q×K 7.12 mm² into 512 multipliers (m each) and
  // 196 KB (ρ per KB), 512m + 196ρ = 7.12 and 512m' + 196ρ = 7.22 (prob×V), so 64 + 64 multipliers
  // with 24.5 + 24.5 KB are (7.12 + 7.22)/8 = 1.79 mm² before any fetcher, softmax, top-k or control
  // area. 1.55 mm² ± 10% needs ≤ 11 KB per SRAM even with the control area scaled by 1/8 too —
  // a size the paper does not state, so the preset keeps the uniform 1/8 reading. Such SRAMs also
  // contradict Table III's own speed: on its workload (BERT-base, L = 320) SpAtten1/8 then spills
  // K/V per query and falls short of its ratios over A³ (`compare --set hw.keySramKB=12 --set hw.valueSramKB=12`:
  // 1.17× speedup, 0.79× energy saving; 6 KB: 0.99× / 0.68×; paper 1.6× / 1.4×; 24.5 KB: 1.55× /
  // 1.17×), so no reading of the unstated sizes meets both the stated area and the stated ratios.
  'spatten-1/8': {
    qkMultipliers: 64,
    pvMultipliers: 64,
    dramChannels: 2,
    fetcherPorts: 4,
    keySramKB: 24.5,
    valueSramKB: 24.5,
    topkParallelism: 2,
    softmaxParallelism: 1,
  },
};

/** Metric names, generated from the metric registry (sim/metrics.ts). */
export { HW_METRICS, ACCURACY_METRICS, BASELINE_METRICS, METRICS, type MetricName } from './metrics.ts';
