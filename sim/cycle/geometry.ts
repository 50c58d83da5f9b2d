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

/** Array lines of `lineBits` in `kb` KB of SRAM (paper units). */
function linesOf(kb: number, lineBits: number): number {
  return Math.floor((kb * PAPER_KB_BYTES * 8) / lineBits + 1e-9);
}

/** Bits of one key- and one value-buffer line: M × wordBits. */
function lineBits(hw: HardwareConfig): { keyLineBits: number; valLineBits: number } {
  return { keyLineBits: hw.qkMultipliers * hw.wordBits, valLineBits: hw.pvMultipliers * hw.wordBits };
}

/** Lines each buffer needs at least: one line pair (a line being written while the other is read). */
export const MIN_BUFFER_LINES = 2;

/**
 * The smallest key and value SRAM (KB, paper units) the cycle model runs with: MIN_BUFFER_LINES
 * lines each, whatever the workload. Rounded up to 3 significant digits (that size is accepted).
 */
export function minBufferKB(hw: HardwareConfig): { key: number; value: number } {
  const { keyLineBits, valLineBits } = lineBits(hw);
  const kb = (bits: number) => {
    const exact = ((MIN_BUFFER_LINES - 1e-9) * bits) / (PAPER_KB_BYTES * 8);
    const unit = 10 ** (Math.floor(Math.log10(exact)) - 2);
    return Number((Math.ceil(exact / unit - 1e-9) * unit).toPrecision(3));
  };
  return { key: kb(keyLineBits), value: kb(valLineBits) };
}

/** A key or value SRAM below one line pair: the knob (hw.keySramKB or hw.valueSramKB) and the smallest size accepted. */
export class BufferTooSmallError extends Error {
  constructor(
    readonly knob: 'hw.keySramKB' | 'hw.valueSramKB',
    readonly minKB: number,
    lines: string,
  ) {
    super(`simulateCycle: key/value SRAM too small for one line pair (${lines} lines): ${knob} must be at least ${minKB} KB`);
    this.name = 'BufferTooSmallError';
  }
}

/** Key- and value-buffer capacity in array lines (lines of M × wordBits). */
export function bufferLines(hw: HardwareConfig): { key: number; value: number; keyLineBits: number; valLineBits: number } {
  const { keyLineBits, valLineBits } = lineBits(hw);
  const key = linesOf(hw.keySramKB, keyLineBits);
  const value = linesOf(hw.valueSramKB, valLineBits);
  if (key < MIN_BUFFER_LINES || value < MIN_BUFFER_LINES) {
    const keyShort = key < MIN_BUFFER_LINES;
    throw new BufferTooSmallError(keyShort ? 'hw.keySramKB' : 'hw.valueSramKB', keyShort ? minBufferKB(hw).key : minBufferKB(hw).value, `${key}/${value}`);
  }
  return { key, value, keyLineBits, valLineBits };
}
