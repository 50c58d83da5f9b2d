/**
 * Charts of the figures that compare SpAtten with other platforms on the benchmark suite: the
 * §5.1 headline, Fig. 14, Fig. 15, the Fig. 18 roofline and Table IV. Each takes the rows
 * `spatten-dse reproduce <name> --json` prints; where the spec withholds the paper's bars, only
 * ours are drawn and the caption says so.
 */
import type { HeadlineRow } from '../../dse/reproduce/headline.ts';
import type { Geomeans, SuiteRow } from '../../dse/reproduce/fig14.ts';
import type { Fig15Row } from '../../dse/reproduce/fig15.ts';
import type { Fig18Point } from '../../dse/reproduce/fig18.ts';
import type { Table4Row } from '../../dse/reproduce/table4.ts';
import type { ChartDef, VlSpec } from '../spec-base.ts';
import { groupedBars, logAxisValues, OURS_COLORS, PAPER, type Bar } from './kit.ts';
import { hwLabel } from '../../dse/reproduce/common.ts';
import { BASELINE_METRICS, type HardwareConfig } from '../../sim/schema.ts';

/** How the paper names the platforms. */
export const PLATFORM_LABEL: Record<string, string> = { 'titan-xp': 'TITAN Xp', xeon: 'Xeon', 'jetson-nano': 'Jetson Nano', rpi4: 'Raspberry Pi' };
const label = (p: string) => PLATFORM_LABEL[p] ?? p;
/** A baseline metric of the registry (sim/metrics.ts BASELINE_METRICS): one chart each. */
type Metric = (typeof BASELINE_METRICS)[number];
/** How the charts' titles name each baseline metric (a new one in the registry must be named here). */
const WHAT: Record<Metric, string> = { speedup: 'speed-up', energy_saving: 'energy saving' };

/** §5.1: geomean speed-up and energy saving over each platform, ours next to the paper's (log y). */
export function headlineCharts(rows: { headline: HeadlineRow[]; hw?: Partial<HardwareConfig> }): ChartDef[] {
  return BASELINE_METRICS.map((m) => {
    const hs = rows.headline.filter((h) => h.metric === m);
    const order = hs.map((h) => label(h.platform));
    return groupedBars({
      title: `§5.1 headline: geomean ${WHAT[m]} over the 30 benchmarks`,
      caption: `SpAtten (${hwLabel(rows.hw)}, attention only) over each platform, geomean of the 30 benchmarks (log axis), ours next to the paper's (§5.1).`,
      yTitle: `${WHAT[m]} (×)`,
      rows: hs.flatMap((h): Bar[] => [
        { x: label(h.platform), series: 'ours', value: h.ours },
        { x: label(h.platform), series: `${PAPER} §5.1`, value: h.paper },
      ]),
      xOrder: order,
      logY: true,
      labels: true,
      labelAngle: 0,
    });
  });
}

/** Fig. 14: per-benchmark speed-up (and energy saving) over each platform, the geomeans at the end next to the paper's. Per-benchmark paper bars are withheld. */
export function fig14Charts(rows: { benchmarks: SuiteRow[]; geomeans: Geomeans[]; paper: { geomeans: Record<string, Record<Metric, number>> }; hw?: Partial<HardwareConfig> }): ChartDef[] {
  const all = rows.geomeans[0];
  // every platform we priced; the paper's bar only for those §5.1 reports (not a datasheet-priced one)
  const platforms = Object.keys(rows.benchmarks[0]?.speedup ?? rows.paper.geomeans);
  return BASELINE_METRICS.map((m) => {
    const bars: Bar[] = [
      ...rows.benchmarks.flatMap((b) => platforms.map((p): Bar => ({ x: b.benchmark, series: `over ${label(p)}`, value: b[m][p as keyof SuiteRow['speedup']] }))),
      ...(all ? platforms.map((p): Bar => ({ x: `GeoMean (ours, ${all.set})`, series: `over ${label(p)}`, value: all[m][p as keyof Geomeans['speedup']] })) : []),
      ...platforms.filter((p) => p in rows.paper.geomeans).map((p): Bar => ({ x: 'GeoMean (paper §5.1)', series: `over ${label(p)}`, value: rows.paper.geomeans[p][m] })),
    ];
    return groupedBars({
      title: `Fig. 14: ${WHAT[m]} per benchmark`,
      caption: `SpAtten (${hwLabel(rows.hw)}, attention only) ${WHAT[m]} over each platform per benchmark, in the suite's order (log axis); our geomean and the paper's (§5.1) at the end. The paper's per-benchmark bars are withheld from the spec (an independent check).`,
      yTitle: `${WHAT[m]} (×)`,
      rows: bars,
      xOrder: [...new Set(bars.map((b) => b.x))],
      logY: true,
      labelAngle: -60,
    });
  });
}

/** Fig. 15: SpAtten-e2e speed-up and energy saving per GPT-2 benchmark, one bar per baseline and FC width, with geomeans. The paper's bars are withheld. */
export function fig15Charts(rows: { rows: Fig15Row[]; geomeans: Record<string, Record<Metric, number>>; hw?: Partial<HardwareConfig> }): ChartDef[] {
  const series = (r: { baseline: string; fcBits: number }) => `over ${label(r.baseline)}, ${r.fcBits}-bit FC`;
  return BASELINE_METRICS.map((m) => {
    const bars: Bar[] = [
      ...rows.rows.map((r): Bar => ({ x: r.benchmark, series: series(r), value: r[m] })),
      ...Object.entries(rows.geomeans).map(([k, g]): Bar => {
        const [baseline, bits] = k.split(' ');
        return { x: 'GeoMean', series: series({ baseline, fcBits: parseInt(bits, 10) }), value: g[m] };
      }),
    ];
    return groupedBars({
      title: `Fig. 15: end-to-end ${WHAT[m]} (with FC/FFN)`,
      caption: `SpAtten-e2e (attention + FC on the multiplier arrays, ${hwLabel(rows.hw)}) over PyTorch end-to-end on the 8 GPT-2 benchmarks, 8- and 12-bit FC weights (log axis). The paper's bars are withheld from the spec (an independent check).`,
      yTitle: `${WHAT[m]} (×)`,
      rows: bars,
      xOrder: [...new Set(bars.map((b) => b.x))],
      logY: true,
    });
  });
}

/** An open square as a symbol shape: the unit square less an inner one wound the other way (a ring under the nonzero fill rule). */
export const OPEN_SQUARE = 'M-1,-1H1V1H-1Z M-0.6,-0.6V0.6H0.6V-0.6Z';

/** Fig. 18: the roofline — throughput vs operational intensity (log-log), ours and the paper's points, both platforms' roofs. */
export function fig18Charts(rows: { points: Fig18Point[]; roofs: Record<string, { tflops: number; gbps: number }> }): ChartDef[] {
  const pts = rows.points.flatMap((p) => [
    { point: p.point, who: 'ours', oi: p.opsPerByte, tflops: p.tflops },
    { point: p.point, who: `${PAPER} Fig. 18 / §5.4`, oi: p.paper.opsPerByte, tflops: p.paper.tflops },
  ]);
  const ois = pts.map((p) => p.oi).filter((v) => v > 0);
  const lo = Math.min(0.1, ...ois) / 2;
  const hi = Math.max(1000, ...ois) * 2;
  const roofs = Object.entries(rows.roofs).flatMap(([name, r]) => {
    const knee = (r.tflops * 1e3) / r.gbps;
    return [lo, knee, hi].map((oi) => ({ roof: `${name} roof`, oi, tflops: Math.min(r.tflops, (r.gbps * oi) / 1e3) }));
  });
  const names = rows.points.map((p) => p.point);
  const ys = [...pts.map((p) => p.tflops), ...Object.values(rows.roofs).map((r) => r.tflops)].filter((v) => v > 0);
  const [ylo, yhi] = [Math.min(...ys) / 2, Math.max(...ys) * 2];
  // labelled ticks as the bar charts' (1, 2, 5 × 10^k; decades alone past 4): vega's own printed "1,000" and dropped 2,000 for overlap
  const x = { field: 'oi', type: 'quantitative', title: 'operational intensity (ops / byte of Q, K, V and outputs)', scale: { type: 'log', nice: false, domain: [lo, hi] }, axis: { format: '~g', values: logAxisValues(lo, hi) } };
  const y = { field: 'tflops', type: 'quantitative', title: 'throughput (TFLOPS)', scale: { type: 'log', nice: false, domain: [ylo, yhi] }, axis: { format: '~g', values: logAxisValues(ylo, yhi) } };
  const color = { field: 'point', type: 'nominal', scale: { domain: names, range: OURS_COLORS.slice(0, names.length) }, legend: { title: null, orient: 'bottom', direction: 'vertical' } };
  const whos = [...new Set(pts.map((p) => p.who))];
  // the paper's points are open squares: a filled square ring (a path with a hole, unit size), so the legend draws them as the chart does
  const shape = { field: 'who', type: 'nominal', scale: { domain: whos, range: ['circle', OPEN_SQUARE] }, legend: { title: null, orient: 'bottom', direction: 'vertical' } };
  const layers: VlSpec[] = [
    { data: { values: roofs }, mark: { type: 'line', color: '#999', strokeWidth: 1.5, clip: true }, encoding: { x, y, detail: { field: 'roof' } } },
    { data: { values: roofs.filter((_, i) => i % 3 === 2) }, mark: { type: 'text', align: 'right', dy: -6, fontSize: 10, color: '#666' }, encoding: { x, y, text: { field: 'roof' } } },
    { data: { values: pts.filter((p) => p.who === 'ours') }, mark: { type: 'point', filled: true, size: 80, opacity: 1 }, encoding: { x, y, color, shape } },
    { data: { values: pts.filter((p) => p.who !== 'ours') }, mark: { type: 'point', filled: true, size: 110, opacity: 1 }, encoding: { x, y, color, shape } },
  ];
  return [
    {
      kind: 'figure',
      title: 'Fig. 18: roofline',
      caption: "Mean throughput over each benchmark set (22 BERT, 8 GPT-2) against operational intensity, which counts only the Q, K, V inputs and the attention outputs (§V-C); log-log. Filled circles: ours; open squares: the paper's points (intensities read off the figure, throughputs from §5.4). Grey: each platform's compute roof and bandwidth slope.",
      spec: { width: 460, height: 300, layer: layers },
    },
  ];
}

/** Table IV: FC and attention GFLOPs and latencies, TITAN Xp and SpAtten-e2e, ours next to the paper's (log y for latency). */
export function table4Charts(rows: { rows: Table4Row[] }): ChartDef[] {
  const part = { fcGflop: 'FC', attnGflop: 'attention', fcMs: 'FC', attnMs: 'attention' } as const;
  const chart = (qs: Table4Row['quantity'][], title: string, yTitle: string, logY: boolean) => {
    const sel = rows.rows.filter((r) => qs.includes(r.quantity));
    const bars = sel.flatMap((r): Bar[] => [
      { x: `${r.platform}: ${part[r.quantity]}`, series: 'ours', value: r.ours },
      { x: `${r.platform}: ${part[r.quantity]}`, series: `${PAPER} Table IV`, value: r.paper },
    ]);
    return groupedBars({
      title,
      caption: `GPT-2-Medium, average of its 4 benchmarks, no head pruning; ours next to the paper's Table IV. The paper does not say which FC width SpAtten-e2e uses, so both are shown against its one row.`,
      yTitle,
      rows: bars,
      xOrder: [...new Set(bars.map((b) => b.x))],
      logY,
      labels: true,
    });
  };
  return [chart(['fcGflop', 'attnGflop'], 'Table IV: FC vs attention GFLOPs', 'GFLOP', false), chart(['fcMs', 'attnMs'], 'Table IV: FC vs attention latency', 'latency (ms)', true)];
}
