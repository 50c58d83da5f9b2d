/**
 * The configuration schema: the single source of truth for hardware, algorithm and workload
 * config types. Every other module takes its types from here (`z.infer`), the YAML space schema
 * (dse/space.ts) composes these objects, and `spatten-dse schema` prints them as JSON Schema.
 *
 * Defaults of `HardwareSchema` are the paper's full SpAtten (Table I); defaults of `AlgoSchema`
 * are the dense, unpruned, 12-bit static baseline so that every technique is opt-in.
 */
import { z } from 'zod';

export const MODEL_NAMES = ['bert-base', 'bert-large', 'gpt2-small', 'gpt2-medium'] as const;
export type ModelName = (typeof MODEL_NAMES)[number];
export const STAGES = ['summarization', 'generation'] as const;
export type Stage = (typeof STAGES)[number];

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
    keySramKB: z.number().positive().max(65536).default(196).describe('Key SRAM capacity in KB'),
    valueSramKB: z.number().positive().max(65536).default(196).describe('Value SRAM capacity in KB'),
    dramChannels: z.number().int().min(1).max(256).default(16).describe('HBM2 channels'),
    dramChannelGBps: z.number().positive().max(1024).default(32).describe('Bandwidth per DRAM channel, GB/s'),
    fetcherPorts: z.number().int().min(1).max(1024).default(32).describe('Q-K-V fetcher master ports (32 B per port per cycle)'),
    inFlight: z.number().int().min(1).max(64).default(8).describe('Head requests in flight in the pipeline'),
    wordBits: z.number().int().min(4).max(32).default(12).describe('On-chip fixed-point word width'),
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
    headKeep: z.number().gt(0).max(1).default(1).describe('Average fraction of heads kept over the head-pruned layers'),
    headSpread: z.number().min(0).max(1).default(0.5).describe('Per-layer head ratio spread'),
    valueKeep: z.number().gt(0).max(1).default(1).describe('Local V pruning: fraction of the kept tokens whose V is fetched, per head'),
    tokenFrontFrac: z.number().min(0).max(1).default(0.15).describe('Front fraction of layers never token-pruned (paper: 15%)'),
    headFrontFrac: z.number().min(0).max(1).default(0.3).describe('Front fraction of layers never head-pruned (paper: 30%)'),
    msbBits: z.number().int().min(1).max(32).default(12).describe('Key/query MSB width fetched first (4,6,8,10,12; 16/32 unquantized)'),
    lsbBits: z.number().int().min(0).max(8).default(0).describe('LSB width refetched on a flat distribution; 0 = progressive quantization off'),
    lsbThreshold: z.number().min(0).max(1).default(0.1).describe('Refetch LSBs when max attention probability < threshold'),
    lsbRefetchFraction: z.number().min(0).max(1).default(0.059).describe('Fraction of heads that refetch LSBs (paper: 5.9%); measured by the accuracy engine when it runs'),
    valueBits: z.number().int().min(0).max(32).default(0).describe('Value width in DRAM; 0 = same as msbBits'),
    queryBits: z.number().int().min(1).max(32).default(12).describe('Query width read from DRAM'),
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
  // gap 15), so every other resource is scaled by 1/8 too (the paper's 1.55 mm² is below 1/8 of
  // 18.71 mm², so the SRAMs cannot have stayed at 196 KB).
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
export { HW_METRICS, ACCURACY_METRICS, METRICS, type MetricName } from './metrics.ts';
