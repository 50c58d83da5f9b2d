/** Array and buffer geometry shared by the cycle simulator's components. */
import type { HardwareConfig } from '../schema.ts';

/** The paper's "196 KB" is 2 × 1024 × 64 × 12 b = 196,608 B: SRAM sizes are read in those units. */
export const PAPER_KB_BYTES = 196608 / 196;

/** Keys (or values) per array line and cycles per line for an M-lane array and head dim D. */
export interface Lanes {
  per: number;
  cpl: number;
}

export function lanes(M: number, D: number): Lanes {
  return M >= D ? { per: Math.floor(M / D), cpl: 1 } : { per: 1, cpl: Math.ceil(D / M) };
}

const LOG2C: number[] = [];
/** ⌈log2 x⌉ (0 for x ≤ 1), tabulated below 4096. */
export function log2c(x: number): number {
  if (x <= 1) return 0;
  if (x < 4096) return (LOG2C[x] ??= Math.ceil(Math.log2(x)));
  return Math.ceil(Math.log2(x));
}

/** Fusion factor: vectors whose size is not a multiple of 32 B are stored interleaved for 2 (or 4) heads (RTL fused pairs). */
export function fuseFactor(bytesPerToken: number): number {
  for (const g of [1, 2, 4, 8]) if ((bytesPerToken * g) % 32 === 0) return g;
  return 1;
}

/** Key- and value-buffer capacity in array lines (lines of M × wordBits). */
export function bufferLines(hw: HardwareConfig): { key: number; value: number; keyLineBits: number; valLineBits: number } {
  const keyLineBits = hw.qkMultipliers * hw.wordBits;
  const valLineBits = hw.pvMultipliers * hw.wordBits;
  const key = Math.floor((hw.keySramKB * PAPER_KB_BYTES * 8) / keyLineBits + 1e-9);
  const value = Math.floor((hw.valueSramKB * PAPER_KB_BYTES * 8) / valLineBits + 1e-9);
  if (key < 2 || value < 2) throw new Error(`simulateCycle: key/value SRAM too small for one line pair (${key}/${value} lines)`);
  return { key, value, keyLineBits, valLineBits };
}
