/**
 * Record boundaries of a CSV byte chunk, shared by the run's points.csv writer (dse/sink.ts) and
 * its streaming reader (reports/read-points.ts): a record ends at a newline outside quoted fields
 * (an error message may hold a quoted newline; a doubled quote inside a field counts twice, so the
 * parity rule still holds).
 */
const NL = 0x0a;
const QUOTE = 0x22;

/**
 * Calls `onRecord(start, nl, quotes, innerNewlines)` for every complete record of `data`
 * (bytes start … nl − 1, `nl` its ending newline; `quotes` counted in it, `innerNewlines` inside its
 * quoted fields) and returns where the unfinished tail starts (data.length if none).
 */
export function scanCsvRecords(data: Buffer, onRecord: (start: number, nl: number, quotes: number, innerNewlines: number) => void): number {
  let start = 0;
  let scan = 0;
  let quotes = 0; // quotes in the current record so far (odd: inside a quoted field)
  let newlines = 0;
  let q = data.indexOf(QUOTE, 0); // the next quote at or after `scan` (-1: none in the chunk)
  for (;;) {
    const nl = data.indexOf(NL, scan);
    if (nl < 0) break;
    while (q >= 0 && q < nl) {
      quotes++;
      q = data.indexOf(QUOTE, q + 1);
    }
    scan = nl + 1;
    if (quotes % 2 === 1) {
      newlines++;
      continue; // a newline inside a quoted field
    }
    onRecord(start, nl, quotes, newlines);
    start = nl + 1;
    quotes = 0;
    newlines = 0;
  }
  return start;
}
