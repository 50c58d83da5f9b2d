/** Cycle-level simulator of the SpAtten pipeline: public API. */
export { simulateCycle, fuseFactor, PAPER_KB_BYTES, type CycleOptions } from './sim.ts';
export { HbmChannel } from './dram.ts';
export { hbmTiming, availableBefore, timeForAvailable, DEFAULT_QUEUE_DEPTH, HBM2_2GBPS_NS } from './hbm-timing.ts';
export { gatherChunks } from './gather-layout.ts';
export { profileStream, type StreamProfile } from './dram-profile.ts';
export type { ChunkList, ChannelRun } from './dram.ts';
export type { HbmTiming } from './hbm-timing.ts';
export { quickSelectValues, quickSelectRandom, roundCycles, type QuickSelectResult } from './topk.ts';
export { quickSelectEngine, type TopkEngine, type TopkCost } from './topk-engine.ts';
