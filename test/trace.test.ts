import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatTrace, parseTrace, readTraceFile, TraceError, TRACE_COLUMNS } from '../sim/workload/trace.ts';
import { buildWorkload } from '../sim/workload/build.ts';
import { AlgoSchema, WorkloadSchema } from '../sim/schema.ts';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const traces = path.join(root, 'sim', 'workload', 'traces');
const shared = path.join(root, '..', 'shared', 'workloads');
const FILES = ['small.csv', 'summary-gpt2-small-wikitext2-per8.csv', 'summary-gpt2-small-wikitext2-per8-step1+dedic.csv'];
const HEADER = TRACE_COLUMNS.join(',');

test('shipped traces are the official ones (when ../shared is present)', () => {
  for (const f of [...FILES, 'LICENSE-mit-han-lab']) {
    assert.ok(existsSync(path.join(traces, f)), f);
    if (existsSync(path.join(shared, f))) assert.equal(readFileSync(path.join(traces, f), 'utf8'), readFileSync(path.join(shared, f), 'utf8'), f);
  }
});

test('official traces: rows, model, harness bit mapping', () => {
  const small = readTraceFile(path.join(traces, 'small.csv'));
  assert.equal(small.requests.length, 1);
  assert.equal(small.model.name, 'gpt2-medium'); // from the trailing config line
  const r = small.requests[0];
  // −1 keys → 8-bit MSB + forced 4-bit LSB pass; −1 values → 8; −1 query → 12.
  assert.deepEqual([r.keyBits, r.lsbBits, r.refetch, r.valueBits, r.queryBits, r.keys, r.valuesFetched, r.L, r.D], [8, 4, 1, 8, 12, 993, 993, 993, 64]);

  const per8 = readTraceFile(path.join(traces, 'summary-gpt2-small-wikitext2-per8.csv'));
  assert.equal(per8.requests.length, 4608);
  assert.equal(per8.model.name, 'gpt2-small');
  assert.equal(per8.iterations, 32);
  assert.equal(per8.stage, 'generation');
  assert.equal(per8.source, 'trace');
  assert.match(per8.provenance, /qlinear_k6b_v6b_q16b_sym/);
  const p0 = per8.requests[0];
  assert.deepEqual([p0.keyBits, p0.lsbBits, p0.refetch, p0.valueBits, p0.queryBits, p0.keys, p0.valuesFetched, p0.lsbThreshold], [6, 4, 1, 6, 16, 993, 204, 0.05]);
  assert.equal(per8.requests.filter((x) => x.refetch === 1).length, 323); // spec §3.2: 7.01 %
  assert.equal(per8.requests.filter((x) => x.topk >= 0).length, 124);
  // The last layer's top-k picks the next iteration's layer-0 tokens out of all L.
  assert.ok(per8.requests.some((x) => x.topk > x.keys), 'per8.requests.some((x) => x.topk > x.keys)');

  const dense = readTraceFile(path.join(traces, 'summary-gpt2-small-wikitext2-per8-step1+dedic.csv'));
  assert.ok(dense.requests.every((x) => x.keys === x.L && x.valuesFetched === x.L && x.keyBits === 8 && x.refetch === 1), 'dense.requests.every((x) => x.keys === x.L && x.valuesFetched === x.L && x.keyBits === 8 && x.refetch === 1)');
});

test('official traces round-trip byte-exactly', () => {
  for (const f of FILES) {
    const text = readFileSync(path.join(traces, f), 'utf8');
    assert.equal(formatTrace(parseTrace(text, f)), text, f);
  }
});

test('generated workloads round-trip (generation and causal summarization)', () => {
  const cases = [
    { wl: { model: 'gpt2-small', stage: 'generation', seqLen: 64, genTokens: 3 }, algo: { tokenKeep: 0.5, valueKeep: 0.5, headKeep: 0.7, msbBits: 6, lsbBits: 4, lsbRefetchFraction: 1 } },
    { wl: { model: 'gpt2-small', stage: 'summarization', seqLen: 40 }, algo: { tokenKeep: 0.6, valueKeep: 0.5, msbBits: 12 } },
    { wl: { model: 'bert-base', stage: 'summarization', seqLen: 50 }, algo: { tokenKeep: 0.5, headKeep: 0.8, msbBits: 8 } },
  ];
  for (const c of cases) {
    const w = buildWorkload(WorkloadSchema.parse(c.wl), AlgoSchema.parse(c.algo));
    const text = formatTrace(w);
    const back = parseTrace(text, 'gen.csv');
    assert.equal(back.stage, w.stage);
    assert.equal(back.model.name, w.model.name);
    assert.equal(back.iterations, w.iterations);
    assert.equal(back.reuseKV, w.reuseKV);
    assert.deepEqual(back.requests, w.requests, `${c.wl.model} ${c.wl.stage}`);
    assert.equal(formatTrace(back), text);
  }
  // A fractional refetch probability becomes a seeded per-head draw; after that it is stable.
  const w = buildWorkload(WorkloadSchema.parse({ model: 'gpt2-small', stage: 'generation', seqLen: 32, genTokens: 4 }), AlgoSchema.parse({ msbBits: 4, lsbBits: 4, lsbRefetchFraction: 0.3 }));
  const once = parseTrace(formatTrace(w), 'p.csv');
  const n = once.requests.filter((r) => r.refetch === 1).length;
  assert.ok(n > 0 && n < once.requests.length, `draws ${n}`);
  assert.equal(formatTrace(once), formatTrace(parseTrace(formatTrace(once), 'p2.csv')));
});

function expectError(text: string, line: number, column: number | undefined, columnName: string | undefined, re: RegExp) {
  assert.throws(
    () => parseTrace(text, 'bad.csv'),
    (e: unknown) => {
      assert.ok(e instanceof TraceError, String(e));
      assert.equal(e.file, 'bad.csv');
      assert.equal(e.line, line, e.message);
      assert.equal(e.column, column, e.message);
      assert.equal(e.columnName, columnName, e.message);
      assert.match(e.message, re);
      assert.ok(e.message.startsWith(`bad.csv:${line}`), e.message);
      return true;
    },
  );
}

test('trace errors name file, line and column', () => {
  const row = '0,0,0,64.0,993,993,6,16,0.05,True,4,204,6,True,False,False,-1';
  expectError('', 1, undefined, undefined, /empty file/);
  expectError(HEADER.replace(',topk', ''), 1, undefined, 'topk', /lacks column 'topk'/);
  expectError(`${HEADER}\n${row.replace('993,993', '993,abc')}`, 2, 6, 'key_fetch_num', /expected an integer, got 'abc'/);
  expectError(`${HEADER}\n${row}\n${row.replace(',True,4,', ',Maybe,4,')}`, 3, 10, 'if_requant', /True or False/);
  expectError(`${HEADER}\n${row},1`, 2, 18, undefined, /expected 17 cells, got 18/);
  expectError(`${HEADER}\n${row}\ncfg.yml,,,,,,,,,,,,,,,,\n${row}`, 4, 1, 'iteration_id', /after the trailing config line/);
  expectError(`${HEADER}\n${row.replace(/False,-1$/, 'True,-1')}`, 2, 17, 'topk', /if_topk is True but topk is −1/);
  expectError(`${HEADER}\n${row.replace('993,993,6', '993,994,6')}`, 2, 6, 'key_fetch_num', /exceeds sentence_length_L/);
  expectError(`${HEADER}\n${row.replace(',204,', ',999,')}`, 2, 12, 'value_fetch_num', /exceeds key_fetch_num/);
  expectError(`${HEADER}\n${row.replace('64.0', '6x')}`, 2, 4, 'embedding_length_D', /expected a number/);
  expectError(`${HEADER}\n${row.replace(',16,0.05', ',99,0.05')}`, 2, 8, 'quant_query_bit', /bit width/);
  expectError(`${HEADER}\ncfg.yml,,,,,,,,,,,,,,,,`, 1, undefined, undefined, /no data rows/);
  assert.throws(() => readTraceFile(path.join(root, 'no-such.csv')), TraceError);
});

test('a non-integer iteration_id is reported at iteration_id (column 1), not at the next non-empty cell', () => {
  const row = '0,0,0,64.0,993,993,6,16,0.05,True,4,204,6,True,False,False,-1';
  expectError(`${HEADER}\n${row}\n${row.replace(/^0,/, '1.5,')}`, 3, 1, 'iteration_id', /iteration_id '1\.5' is not an integer.*layer_id is '0'/);
  // on the first data line too (no rows before it), and with cells spaced out
  expectError(`${HEADER}\n x ,0,0,64.0,993,993,6,16,0.05,True,4,204,6,True,False,False,-1`, 2, 1, 'iteration_id', /iteration_id 'x' is not an integer/);
  // a trailing config line (a path, then 16 empty cells) is still accepted
  assert.equal(parseTrace(`${HEADER}\n${row}\ncfg.yml,,,,,,,,,,,,,,,,`, 't.csv').requests.length, 1);
});

test('a header cell that is not one of the 17 columns, or repeats one, is refused at its column with the expected header', () => {
  const row = '0,0,0,64.0,993,993,6,16,0.05,True,4,204,6,True,False,False,-1';
  const expected = new RegExp(`expected the 17 columns \\(in any order\\): ${HEADER}$`);
  // an extra unknown column (a typo'd copy of a column name would otherwise be ignored)
  expectError(`${HEADER},if_topkk\n${row},1`, 1, 18, 'if_topkk', /unknown column 'if_topkk' \(column 18\); expected/);
  expectError(`${HEADER},if_topkk\n${row},1`, 1, 18, 'if_topkk', expected);
  expectError(`iteration_id,extra,${HEADER.slice('iteration_id,'.length)}\n0,7,${row.slice(2)}`, 1, 2, 'extra', /unknown column 'extra' \(column 2\)/);
  // a number as a column name (first or last)
  expectError(`${HEADER},9\n${row},7`, 1, 18, '9', /column name '9' is a number/);
  expectError(`9,${HEADER}\n7,${row}`, 1, 1, '9', /column name '9' is a number/);
  // a column named twice
  expectError(`${HEADER},topk\n${row},-1`, 1, 18, 'topk', /column 'topk' appears twice \(also column 17\)/);
  // an empty header cell (a trailing comma)
  expectError(`${HEADER},\n${row},`, 1, 18, undefined, /empty column name/);
});

test('a misspelt column is named with the header cell that looks like it, at that cell\'s column', () => {
  const row = '0,0,0,64.0,993,993,6,16,0.05,True,4,204,6,True,False,False,-1';
  const typo = (from: string, to: string) => HEADER.split(',').map((h) => (h === from ? to : h)).join(',');
  expectError(`${typo('iteration_id', 'iteraton_id')}\n${row}`, 1, 1, 'iteration_id', /: header lacks column 'iteration_id'; 'iteraton_id' \(column 1\) looks like a misspelling of it$/);
  // a swap of two neighbours, in the last column; a case change
  expectError(`${typo('topk', 'tpok')}\n${row}`, 1, 17, 'topk', /header lacks column 'topk'; 'tpok' \(column 17\) looks like a misspelling of it$/);
  expectError(`${typo('quant_key_bit', 'Quant_Key_Bit')}\n${row}`, 1, 7, 'quant_key_bit', /'Quant_Key_Bit' \(column 7\) looks like a misspelling/);
  // two misspelt columns: the first missing one (in the schema's order) is named with its own look-alike
  expectError(`${typo('head_id', 'head_idd').replace('layer_id', 'layr_id')}\n${row}`, 1, 2, 'layer_id', /header lacks column 'layer_id'; 'layr_id' \(column 2\)/);
  // in a permuted header the look-alike's own column is named
  const cols = [...TRACE_COLUMNS].reverse().map((h) => (h === 'head_id' ? 'haed_id' : h));
  expectError(`${cols.join(',')}\n${row.split(',').reverse().join(',')}`, 1, 15, 'head_id', /'haed_id' \(column 15\) looks like a misspelling of it$/);
  // no look-alike, but the one unknown cell stands where the one missing column would: it is named
  expectError(`${typo('topk', 'k_limit')}\n${row}`, 1, 17, 'topk', /header lacks column 'topk'; column 17 is 'k_limit', which is not a trace column$/);
  // no look-alike and more than one cell unknown: the header's cells are listed
  expectError(`${typo('topk', 'k_limit').replace('head_id', 'hd')}\n${row}`, 1, undefined, 'head_id', /header lacks column 'head_id' \(got: iteration_id,layer_id,hd,.*,if_topk,k_limit\)$/);
  expectError('a,b\n1,2', 1, undefined, 'iteration_id', /header lacks column 'iteration_id' \(got: a,b\)$/);
});

/** `text` with the cells of every line taken in the order `perm` (cell i of the output = cell perm[i]). */
function permuteColumns(text: string, perm: number[]): string {
  return text
    .split('\n')
    .map((l) => (l === '' ? l : perm.map((p) => l.split(',')[p]).join(',')))
    .join('\n');
}

test('an official trace with its columns permuted (header, rows and config line) parses to the same workload', () => {
  const n = TRACE_COLUMNS.length;
  const perms = [
    [...Array(n).keys()].reverse(), // iteration_id last
    [...Array(n).keys()].map((i) => (i + 5) % n), // rotated: iteration_id at column 13
    [1, 0, ...Array.from({ length: n - 2 }, (_, i) => i + 2)], // iteration_id at column 2
  ];
  for (const f of ['small.csv', 'summary-gpt2-small-wikitext2-per8.csv']) {
    const text = readFileSync(path.join(traces, f), 'utf8');
    const std = parseTrace(text, f);
    for (const perm of perms) {
      const permuted = permuteColumns(text, perm);
      assert.equal(permuted.split('\n')[0].split(',')[perm.indexOf(0)], 'iteration_id');
      const w = parseTrace(permuted, f);
      assert.deepEqual(w.requests, std.requests, `${f} permuted ${perm.join(' ')}`);
      // the rest too: the config line (read at iteration_id's column) gives the model and the provenance
      assert.deepEqual(w, std, `${f} permuted ${perm.join(' ')}`);
    }
  }
  // the config line's text is what the standard order reads: small.csv's "medium" gives gpt2-medium
  assert.equal(parseTrace(permuteColumns(readFileSync(path.join(traces, 'small.csv'), 'utf8'), perms[0]), 's.csv').model.name, 'gpt2-medium');
});

test('in a permuted header, errors at iteration_id name its column, not column 1', () => {
  // iteration_id is column 17, topk column 1
  const n = TRACE_COLUMNS.length;
  const perm = [...Array(n).keys()].reverse();
  const header = permuteColumns(HEADER, perm);
  const row = permuteColumns('0,0,0,64.0,993,993,6,16,0.05,True,4,204,6,True,False,False,-1', perm);
  const withIter = (v: string) => permuteColumns(`${v},0,0,64.0,993,993,6,16,0.05,True,4,204,6,True,False,False,-1`, perm);
  const cfg = permuteColumns(`cfg.yml${','.repeat(n - 1)}`, perm);
  expectError(`${header}\n${row}\n${withIter('1.5')}`, 3, 17, 'iteration_id', /iteration_id '1\.5' is not an integer .*topk is '-1'\)$/);
  expectError(`${header}\n${withIter(' ')}`, 2, 17, 'iteration_id', /empty iteration_id/);
  expectError(`${header}\n${row}\n${cfg}\n${row}`, 4, 17, 'iteration_id', /data row after the trailing config line \(line 3\)/);
  expectError(`${header}\n${row}\n${cfg}\n${cfg}`, 4, 17, 'iteration_id', /second non-row line after the trailing config line \(line 3\): 'cfg\.yml'/);
  // a config line whose text is in the first cell, not at iteration_id: refused at iteration_id, naming the cell
  expectError(`${header}\n${row}\ncfg.yml${','.repeat(n - 1)}`, 3, 17, 'iteration_id', /iteration_id '' is not an integer \(a trailing config line must have empty other cells; topk is 'cfg\.yml'\)$/);
  // a row too short to have the iteration_id cell: the cell count, as in the standard order
  expectError(`${header}\n${row}\n-1,False,False`, 3, 4, undefined, /expected 17 cells, got 3/);
  // the config line with its text at iteration_id's column is accepted, and its text read
  assert.equal(parseTrace(`${header}\n${row}\n${cfg}`, 't.csv').provenance, 'trace t; config cfg.yml; bit mapping official');
});

test('columns are found by name; trailing blank lines and CRLF are accepted', () => {
  const cols = [...TRACE_COLUMNS].reverse();
  const row = '0,0,0,64.0,993,500,8,12,-1,False,-1,100,8,True,False,False,-1'.split(',').reverse().join(',');
  const w = parseTrace(`${cols.join(',')}\r\n${row}\r\n\r\n`, 'r.csv');
  assert.equal(w.requests[0].keys, 500);
  assert.equal(w.requests[0].valuesFetched, 100);
  assert.equal(w.requests[0].refetch, 0);
});

test('the fast row path (standard order, bare cells) gives the same requests and errors as the general path', () => {
  const header = TRACE_COLUMNS.join(',');
  const rows = ['0,0,0,64.0,993,500,12,16,0.05,True,4,100,6,True,False,False,-1', '0,1,0,64.0,993,500,6,-1,-1,False,-1,100,-1,True,False,True,921'];
  const bare = parseTrace([header, ...rows].join('\n'), 'bare.csv');
  // spaces around the cells send every row through the general (split and trim) path
  const spaced = parseTrace([header, ...rows.map((r) => r.split(',').map((c) => ` ${c} `).join(','))].join('\n'), 'bare.csv');
  assert.deepEqual(bare.requests, spaced.requests);
  assert.equal(bare.requests[0].keyBits, 8); // 12-bit key → 8 + forced 4-bit LSB pass (official mapping)
  assert.equal(bare.requests[0].lsbBits, 4);
  assert.equal(bare.requests[1].valueBits, 8); // −1 → 8
  assert.equal(bare.requests[1].topk, 921);
  // a bare row that the fast path matches but a check rejects: the general path's error, naming the cell
  const bad = '0,0,0,64.0,993,994,8,12,-1,False,-1,100,8,True,False,False,-1';
  assert.throws(() => parseTrace([header, bad].join('\n'), 'bad.csv'), (e: unknown) => e instanceof TraceError && e.line === 2 && e.column === 6 && /key_fetch_num 994 exceeds sentence_length_L 993/.test(e.message));
  const badBits = '0,0,0,64.0,993,500,33,12,-1,False,-1,100,8,True,False,False,-1';
  assert.throws(() => parseTrace([header, badBits].join('\n'), 'bad.csv'), (e: unknown) => e instanceof TraceError && e.column === 7 && /bit width/.test(e.message));
});

test('fast and general row paths agree on boundary values of every column (same request or same error), both bit mappings', () => {
  // The fast path repeats the general path's checks to decide when to hand a row over; a check it
  // lacked would accept a row the general path rejects. Mutate one or two cells of valid rows to
  // boundary values and compare the bare row (fast path) with the same row spaced (general path).
  const header = TRACE_COLUMNS.join(',');
  const base = ['0,0,0,64.0,993,500,12,16,0.05,True,4,100,6,True,False,False,-1', '1,3,2,64,993,500,6,-1,-1,False,-1,100,-1,True,False,True,921'];
  const values = ['-2', '-1', '0', '1', '4', '10', '12', '32', '33', '100', '500', '501', '921', '992', '993', '994', '995', '64.5', '0.1', 'True', 'False', 'true', '1e3'];
  // the scanner's own edges: signed zero, leading zeros, 15 and 16 digits (exact accumulation up to 15), forms only Number reads
  values.push('-0', '007', '123456789012345', '1234567890123456', '9007199254740993', '9999999999999999999999', '+3', '.5', 'NaN', '0x10', '', 'TRUE', 'False1');
  const outcome = (text: string, mapping: 'official' | 'exact') => {
    try {
      return JSON.stringify(parseTrace(text, 'm.csv', { bitMapping: mapping }).requests);
    } catch (e) {
      return e instanceof TraceError ? `error ${e.line}:${e.column} ${e.message}` : `other ${(e as Error).message}`;
    }
  };
  let rnd = 12345;
  const next = (n: number) => ((rnd = (rnd * 1103515245 + 12345) % 2147483648) % n);
  let rejected = 0;
  let cases = 0;
  for (const row of base) {
    for (let c = 0; c < TRACE_COLUMNS.length; c++) {
      for (const v of values) {
        const cells = row.split(',');
        cells[c] = v;
        if (next(3) === 0) cells[next(cells.length)] = values[next(values.length)]; // sometimes a second cell
        for (const mapping of ['official', 'exact'] as const) {
          const bare = outcome([header, cells.join(',')].join('\n'), mapping);
          const spaced = outcome([header, cells.map((x) => ` ${x} `).join(',')].join('\n'), mapping);
          assert.equal(bare, spaced, `${cells.join(',')} (${mapping})`);
          assert.ok(!bare.startsWith('other'), bare);
          if (bare.startsWith('error')) rejected++;
          cases++;
        }
      }
    }
  }
  assert.ok(rejected > cases / 4 && rejected < cases, `${rejected} of ${cases} rejected: both outcomes exercised`);
});
