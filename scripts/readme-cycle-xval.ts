/**
 * sim/cycle/README.md's "Analytical vs cycle" table (block `xval`): cycle / analytical latency and
 * energy on the runs test/cycle-xval.test.ts asserts on (scripts/cycle-xval-runs.ts). Written by
 * scripts/readme-cycle.ts with the other blocks; checked by test/cycle-xval.test.ts, which has the
 * runs at hand (the readme test would compute them again).
 */
import { f3 } from './readme-commands.ts';
import { row } from './readme-cycle-runs.ts';
import { dense, fig20, grid, lmTraces, per8, random60, small, table3, type Pair } from './cycle-xval-runs.ts';

/** Fig. 20's configurations as the table names them. */
const FIG20_ROWS: Record<string, string> = {
  table1: 'Fig. 20 steps, local-V reading',
  'table1-no-local-v': 'Fig. 20 steps, no local-V',
};
const TOL = 0.1;

const both = (ps: Pair[], key: 'lat' | 'energy') => ps.map((p) => f3(p[key])).join(' / ');
const sorted = (xs: number[]) => [...xs].sort((x, y) => x - y);

/** lowest … highest of `key` over `ps`. */
function range(ps: Pair[], key: 'lat' | 'energy'): string {
  const xs = sorted(ps.map((p) => p[key]));
  return `${f3(xs[0])} … ${f3(xs.at(-1)!)}`;
}

/** "N of M within 10% (lowest … highest[, median m])". */
function band(ps: Pair[], key: 'lat' | 'energy', median = false): string {
  const xs = sorted(ps.map((p) => p[key]));
  const n = xs.filter((x) => Math.abs(x - 1) < TOL).length;
  const mid = (xs[(xs.length - 1) >> 1] + xs[xs.length >> 1]) / 2;
  return `${n} of ${xs.length} within 10% (${range(ps, key)}${median ? `, median ${f3(mid)}` : ''})`;
}

function fig20Rows(): string[] {
  return fig20().map(({ config, steps }) => {
    const name = FIG20_ROWS[config];
    if (!name) throw new Error(`sim/cycle/README.md: no row name for Fig. 20 configuration ${config}`);
    return row([name, range(steps, 'lat'), range(steps, 'energy')]);
  });
}

/** The table's lines (header included). */
export function xvalBlock(): string[] {
  const d = [dense().kb196, dense().kb392];
  const s = small();
  const lm = lmTraces();
  return [
    '| workload | latency | energy |',
    '|---|---|---|',
    row(['per8', f3(per8().lat), f3(per8().energy)]),
    row(['per8-step1 (dense), 196 / 392 KB', both(d, 'lat'), both(d, 'energy')]),
    row([`small.csv (without refresh at ${s.clocks.map((c) => c.clockGHz).join(' / ')} GHz)`, `${f3(s.at1.lat)} (${both(s.clocks, 'lat')})`, f3(s.at1.energy)]),
    ...fig20Rows(),
    row(['Table III (SpAtten1/8, BERT-base, L = 320)', f3(table3().lat), f3(table3().energy)]),
    row([`LM traces the accuracy engine measures (sotu-gpt, tokenKeep 0.125; with tokenPolicy llm: ${lm.map((r) => `test/fixtures/${r.file}`).join(', ')})`, both(lm, 'lat'), both(lm, 'energy')]),
    row([`${grid().length}-point grid`, band(grid(), 'lat'), range(grid(), 'energy')]),
    row([`${random60().length} random points (every switch drawn too)`, band(random60(), 'lat', true), band(random60(), 'energy')]),
  ];
}

export const XVAL_BLOCK: [string, () => string[]] = ['xval', xvalBlock];
