/**
 * Reading the project's own CSVs (points.csv as csv-stringify writes it) with csv-parse, the
 * sibling of the writer: rows of raw strings, blank lines dropped, a BOM ignored.
 */
import { parse } from 'csv-parse/sync';

export function parseCsv(text: string): string[][] {
  return parse(text, { bom: true, relax_column_count: true, skip_empty_lines: true, record_delimiter: ['\r\n', '\n', '\r'] }) as string[][];
}
