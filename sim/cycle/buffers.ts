/**
 * On-chip key / value buffers as line allocators (RTL stages 1–2, spec §1.5/§1.7): a request
 * takes a contiguous allocation of lines in FIFO order and gives it back whole; at most
 * `maxAllocs` allocations are live (the RTL's 16-entry allocation table). Allocation order and
 * waiting are the scheduler's job; this only counts.
 */

/** Live allocations per buffer in the RTL. */
export const MAX_ALLOCS = 16;

export class LineBuffer {
  /** Lines in use. */
  used = 0;
  /** Live allocations. */
  allocs = 0;

  constructor(
    readonly lines: number,
    readonly maxAllocs = MAX_ALLOCS,
  ) {}

  /** Room for one more allocation of n lines? */
  fits(n: number): boolean {
    return this.used + n <= this.lines && this.allocs < this.maxAllocs;
  }

  take(n: number): void {
    this.used += n;
    this.allocs++;
  }

  release(n: number): void {
    this.used -= n;
    this.allocs--;
  }
}
