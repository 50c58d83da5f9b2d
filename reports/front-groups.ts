/**
 * Front points with identical outcomes. Different parameters can give the same numbers when the
 * model does not read a parameter in some setting (algo.lsbThreshold when algo.lsbBits is 0: no
 * LSB is ever refetched), and every such point is non-dominated when one of them is. pareto.csv
 * lists them all; the report and the run's last line also say how many distinct outcomes the
 * front holds, and the front table shows each outcome once, naming the other points and the
 * parameters they differ in.
 */
import type { PointRow, RunJson } from '../core/results.ts';
import { ciColumns } from '../core/metric-columns.ts';
import { rescoredColumn } from './fidelity-label.ts';

/** The columns an outcome is compared on: the objectives, their 95% CIs and re-scored columns (every number of the front table). */
export function outcomeColumns(run: Pick<RunJson, 'objectives' | 'metrics' | 'model'>): string[] {
  return run.objectives.flatMap((o) => {
    const col = rescoredColumn(run, o.metric);
    return [o.metric, ...ciColumns(o.metric), ...(col ? [col] : [])];
  });
}

const keyOf = (p: PointRow, cols: string[]): string => cols.map((c) => String(p.metrics[c])).join('\u0000');

export interface FrontGroup {
  /** The row the table shows: a highlighted point of the group if any, else the first. */
  rep: PointRow;
  /** The other points with the same outcome, in front order. */
  others: PointRow[];
}

/** The front grouped by identical outcomes, in the order of each group's first point; `prefer` picks the shown row. */
export function frontGroups(front: PointRow[], cols: string[], prefer: (p: PointRow) => boolean = () => false): FrontGroup[] {
  const byKey = new Map<string, PointRow[]>();
  for (const p of front) {
    const k = keyOf(p, cols);
    const g = byKey.get(k);
    if (g) g.push(p);
    else byKey.set(k, [p]);
  }
  return [...byKey.values()].map((g) => {
    const rep = g.find(prefer) ?? g[0];
    return { rep, others: g.filter((p) => p !== rep) };
  });
}

/** How many distinct outcomes the front points hold. */
export function distinctOutcomes(run: Pick<RunJson, 'objectives' | 'metrics' | 'model'>, front: PointRow[]): number {
  const cols = outcomeColumns(run);
  return new Set(front.map((p) => keyOf(p, cols))).size;
}

/** The parameters a group's points differ in, with their values in the group ("algo.lsbThreshold: 0.05, 0.1, 0.2"). */
export function differingParams(g: FrontGroup, params: string[]): { param: string; values: string[] }[] {
  const all = [g.rep, ...g.others];
  return params.flatMap((k) => {
    const values = [...new Set(all.map((p) => (p.params[k] === undefined ? '–' : String(p.params[k]))))].sort((x, y) => Number(x) - Number(y) || x.localeCompare(y));
    return values.length > 1 ? [{ param: k, values }] : [];
  });
}

/** The words after a front count when some outcomes repeat ("(1 distinct outcome: …)"), else ''. */
export function distinctNote(total: number, distinct: number): string {
  if (distinct >= total) return '';
  return ` (${distinct} distinct outcome${distinct === 1 ? '' : 's'}: the other ${total - distinct} repeat a front point's objective values with other parameters)`;
}
