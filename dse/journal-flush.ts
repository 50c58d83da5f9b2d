/** When the executor's finished results are journaled (dse/executor.ts): grouped in time, not per result. */
import type { Journal, JournalRecord } from './journal.ts';

/** Results finished within this many ms of the last journal write go in one write + fsync. */
export const JOURNAL_FLUSH_MS = 100;

export interface JournalBatcher {
  /** Buffers records (written together); true when it flushed (the interval had passed). */
  add(...rs: JournalRecord[]): boolean;
  /** Flushes when the interval has passed; true when it did. */
  tick(): boolean;
  flush(): void;
}

/**
 * Journal writes grouped into one write + fsync per `flushMs` (~100 ms): a crash loses at most the
 * last 100 ms of results, which --resume re-evaluates. `flushMs` 0: a write per result, as a host
 * too loaded to finish two results within the interval writes.
 */
export function journalBatcher(journal: Journal | undefined, flushMs = JOURNAL_FLUSH_MS): JournalBatcher {
  let buffer: JournalRecord[] = [];
  let lastFlush = performance.now();
  const flush = () => {
    if (buffer.length > 0) journal?.appendMany(buffer);
    buffer = [];
    lastFlush = performance.now();
  };
  const tick = () => {
    if (performance.now() - lastFlush < flushMs) return false;
    flush();
    return true;
  };
  return { add: (...rs) => (buffer.push(...rs), tick()), tick, flush };
}
