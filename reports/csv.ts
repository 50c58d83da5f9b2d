/**
 * A small RFC 4180 CSV parser (quoted fields, doubled quotes, CR/LF or LF, newlines inside quotes),
 * enough for points.csv as csv-stringify writes it. Returns rows of raw strings.
 */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let i = 0;
  const n = text.length;
  if (text.charCodeAt(0) === 0xfeff) i = 1; // BOM
  let inQuotes = false;
  let sawAny = false;
  while (i < n) {
    const c = text[i];
    if (inQuotes) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        inQuotes = false;
        i++;
        continue;
      }
      // copy a run of ordinary characters at once
      let j = text.indexOf('"', i);
      if (j < 0) j = n;
      field += text.slice(i, j);
      i = j;
      continue;
    }
    if (c === '"') {
      inQuotes = true;
      sawAny = true;
      i++;
    } else if (c === ',') {
      row.push(field);
      field = '';
      sawAny = true;
      i++;
    } else if (c === '\n' || c === '\r') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      sawAny = false;
      i += c === '\r' && text[i + 1] === '\n' ? 2 : 1;
    } else {
      field += c;
      sawAny = true;
      i++;
    }
  }
  if (inQuotes) throw new Error('unterminated quoted field at end of CSV');
  if (sawAny || field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  // drop blank lines
  return rows.filter((r) => !(r.length === 1 && r[0] === ''));
}
