/**
 * Bandwidth of the FC/FFN weight stream (sim/hw/fc.ts) on the cycle model's HBM2: SpAtten-e2e
 * streams each weight matrix once, contiguously, so its DRAM time is that of a long dense stream
 * through the same bank-level model the attention fetches use (dram.ts: row chunks, FR-FCFS
 * window, tRRD/tFAW, all-bank refresh, channel/PC interleaving and mapping of the hardware config's DRAM switches).
 * Measured once per (hardware, options) on a 1 MiB stream: bytes / (steady-state occupancy of
 * the busiest channel, derated by refresh's tRFC/tREFI), capped by the fetcher ports. Pure.
 */
import type { HardwareConfig } from '../schema.ts';
import { profileStream } from './dram-profile.ts';
import { dramTimingOf } from '../hw/dram-cost.ts';
import { portBytes } from '../hw/pipeline-math.ts';

const STREAM_BYTES = 1 << 20;
const CHUNK = 64;
const memo = new Map<string, number>();

export function fcStreamBytesPerCycle(hw: HardwareConfig): number {
  const key = JSON.stringify([hw.clockGHz, hw.dramChannelGBps, hw.dramChannels, hw.fetcherPorts, hw.dramRefresh, hw.dramQueueDepth, hw.dramMapping]);
  let b = memo.get(key);
  if (b === undefined) {
    const t = dramTimingOf(hw);
    const n = STREAM_BYTES / CHUNK;
    const p = profileStream(n, n, CHUNK, hw.dramChannels, t);
    // Steady state: all-bank refresh takes tRFC of every tREFI on every channel.
    const cycles = Number.isFinite(t.tREFI) ? (p.occupancy * t.tREFI) / (t.tREFI - t.tRFC) : p.occupancy;
    b = Math.min(p.bytes / cycles, portBytes(hw));
    if (memo.size > 256) memo.clear();
    memo.set(key, b);
  }
  return b;
}
