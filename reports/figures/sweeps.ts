/**
 * Charts of the figures that sweep SpAtten's own hardware or techniques: Fig. 19a (throughput vs
 * top-k comparators), Fig. 20 (the speed-up steps, inside SpAtten and from the GPU) and the SRAM
 * size study. Each takes what `spatten-dse reproduce <name> --json` prints (dse/reproduce/types.ts FigureJson).
 */
import type { Fig19aRow } from '../../dse/reproduce/fig19a.ts';
import { FIG20_CONFIGS, type Fig20Result } from '../../dse/reproduce/fig20.ts';
import type { Fig20GpuResult } from '../../dse/reproduce/fig20gpu.ts';
import type { SramRow } from '../../dse/reproduce/sram.ts';
import { FIG19A_PAPER_GOPS } from '../../dse/reproduce/fig19a.ts';
import { FIG19A, FIG20, FIG20_FROM_GPU } from '../../sim/paper.ts';
import type { ChartDef } from '../spec-base.ts';
import { hwLabel } from '../../dse/reproduce/common.ts';
import { groupedBars, linesVsX, PAPER, seriesName, shortStep, type Bar, type XY } from './kit.ts';

/** Fig. 19a: executed GOP/s and GOP/s relative to 16 comparators, against the comparators per array (log2), the paper's bars as a second series. */
export function fig19aCharts({ configurations: rows }: { configurations: Fig19aRow[] }): ChartDef[] {
  const paperLabel = `${PAPER} Fig. 19a`;
  const series = (pick: (r: Fig19aRow) => number[], paper: number[]) => ({
    ours: rows.flatMap((r) => r.P.map((P, i): XY => ({ x: P, y: pick(r)[i], series: seriesName(r.config, r.role, r.hwSet) }))),
    paper: FIG19A.P.map((P, i): XY => ({ x: P, y: paper[i], series: paperLabel })),
  });
  const xTitle = 'top-k comparators per array';
  const at16 = rows.map((r) => `${r.config} ${r.gopsAt16.toFixed(0)}`).join(', ');
  return [
    linesVsX({
      title: 'Fig. 19a: throughput vs top-k comparators',
      caption: `Executed GOP/s on the official GPT-2 trace (per8) for 1 … 32 comparators per array (log2 axis), each of our hardware readings as a solid line, the paper's bars (v3 chart data) dashed. At 16 comparators: ${at16} GOP/s; paper 776.`,
      xTitle,
      yTitle: 'executed GOP/s',
      ...series((r) => r.gops, FIG19A_PAPER_GOPS),
      log2x: true,
    }),
    linesVsX({
      title: 'Fig. 19a: throughput relative to 16 comparators',
      caption: "The same runs, each divided by its own value at 16 comparators (the paper's normalisation), next to the paper's relative bars.",
      xTitle,
      yTitle: 'throughput relative to 16 comparators',
      ...series((r) => r.relative, FIG19A.relative),
      log2x: true,
    }),
  ];
}

const cumprod = (xs: number[]) => xs.map((_, i) => xs.slice(0, i + 1).reduce((a, b) => a * b, 1));

/** Fig. 20 inside SpAtten: the cumulative speed-up after each step over the ASIC baseline, bars in the paper's order, ours (each reading) next to the paper's. */
export function fig20Charts({ configurations: results }: { configurations: Fig20Result[] }): ChartDef[] {
  if (results.length === 0) return [];
  const order = results[0].rows.map((r) => shortStep(r.step));
  const paper = cumprod(FIG20.steps);
  const rows: Bar[] = [
    ...results.flatMap((f) => f.rows.map((r): Bar => ({ x: shortStep(r.step), series: seriesName(f.config, f.role, f.hwSet), value: r.cumulative }))),
    ...order.map((x, i): Bar => ({ x, series: `${PAPER} Fig. 20 (product of its step factors)`, value: paper[i] })),
  ];
  const wl = results[0].workload;
  return [
    groupedBars({
      title: 'Fig. 20: cumulative speed-up of SpAtten\'s techniques over the ASIC baseline',
      caption:
        `Latency of the ASIC baseline (dense, 12-bit K/V, 1-comparator top-k) divided by the latency after each step, steps in the paper's order, on ${wl.model} ${wl.stage} (prompt ${wl.seqLen}, ${wl.genTokens} tokens). ` +
        `Paper: the product of its step factors (${FIG20.steps.slice(1).join(' × ')}); its own combined figures are ${FIG20.combined.map((c) => `${c.paper}× for the ${c.name}`).join(' and ')}.`,
      yTitle: 'cumulative speed-up over the ASIC baseline (×)',
      rows,
      xOrder: order,
      labels: true,
    }),
  ];
}

/** fig20gpu's series of the final with the benchmark suite's own settings (and the user's `--set hw.X=…`). */
export const suiteFinalSeries = (hw: Record<string, unknown> = {}) => seriesName("the benchmarks' own settings (§5.3-derived)", 'suite', hw);

/** Fig. 20 from the GPU: the cumulative speed-up over TITAN Xp after each step (log y), ours next to the paper's three stated values. */
export function fig20gpuCharts(rows: { configurations: Fig20GpuResult[]; suiteFinal?: { ours: number }; hw?: Record<string, unknown> }): ChartDef[] {
  const cs = rows.configurations;
  if (cs.length === 0) return [];
  const order = cs[0].steps.map(shortStep);
  // the final with the 8 benchmarks' own settings (the figure's first line): a bar at the last step only
  const suite = rows.suiteFinal ? [{ x: order[order.length - 1], series: suiteFinalSeries(rows.hw), value: rows.suiteFinal.ours }] : [];
  const bars: Bar[] = [
    ...cs.flatMap((c) => c.cumulative.map((v, i): Bar => ({ x: order[i], series: seriesName(c.config, FIG20_CONFIGS.find((f) => f.name === c.config)?.role ?? 'alternative', c.hwSet), value: v }))),
    ...suite,
    ...FIG20_FROM_GPU.map((t): Bar => ({ x: order[t.step], series: `${PAPER} Fig. 20`, value: t.paper })),
  ];
  return [
    groupedBars({
      title: 'Fig. 20: cumulative speed-up over TITAN Xp',
      caption:
        `TITAN Xp latency divided by SpAtten's after each step, geomean over the 8 GPT-2 benchmarks (log axis). The paper states three of the six bars: ${FIG20_FROM_GPU.map((t) => `${t.paper}× (${t.name})`).join(', ')}.` +
        (rows.suiteFinal ? ` At the last step, "${suiteFinalSeries(rows.hw)}" is the final with the 8 benchmarks' own settings (as reproduce fig14 runs them), ${rows.suiteFinal.ours.toPrecision(3)}×; the configurations' bars run the settings named on their steps.` : ''),
      yTitle: 'speed-up over TITAN Xp (×)',
      rows: bars,
      xOrder: order,
      logY: true,
      labels: true,
    }),
  ];
}

/** SRAM study: executed GOP/s against the key (= value) SRAM size (log2), one line per trace. Fig. 19b is withheld from the spec: no paper series. */
export function sramCharts({ rows }: { rows: SramRow[] }): ChartDef[] {
  // the traces by the short names the table's header gives them (per8, per8-step1+dedic): the file names overflow the legend's label width
  const short = (t: string) => t.replace(/^summary-gpt2-small-wikitext2-/, '').replace(/\.csv$/, '');
  const name = (t: string) => (/dense|step1/.test(t) ? `ours: dense reference (${short(t)})` : `ours: pruned (${short(t)})`);
  const traces = [...new Set(rows.map((r) => r.trace))];
  return [
    linesVsX({
      title: 'Key/value SRAM size vs throughput',
      caption: `Executed GOP/s with key = value SRAM of 196 (Table I), 392 and 784 KB (log2 axis), ${hwLabel(rows[0]?.hwSet)} hardware otherwise, on the official traces ${traces.join(', ')}. The paper's Fig. 19b is withheld from the spec (an independent check), so only ours is drawn.`,
      xTitle: 'key (= value) SRAM, KB',
      yTitle: 'executed GOP/s',
      ours: rows.map((r) => ({ x: r.kb, y: r.gops, series: name(r.trace) })),
      paper: [],
      log2x: true,
    }),
  ];
}
