/** Cycle-level simulator of the SpAtten pipeline: public API. */
export { simulateCycle, fuseFactor, PAPER_KB_BYTES, type CycleOptions } from './sim.ts';
export { hbmTiming, HbmChannel, availableBefore, timeForAvailable, DEFAULT_QUEUE_DEPTH, HBM2_2GBPS_NS } from './dram.ts';
export { gatherChunks } from './gather-layout.ts';
export { profileStream, type StreamProfile } from './dram-profile.ts';
export type { HbmTiming, ChunkList, ChannelRun } from './dram.ts';
export { quickSelectValues, quickSelectRandom, roundCycles, type QuickSelectResult } from './topk.ts';
export { quickSelectEngine, type TopkEngine, type TopkCost } from './topk-engine.ts';
