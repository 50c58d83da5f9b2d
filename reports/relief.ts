/**
 * What the highlights' measured relief says (dse/relief.ts: the point with each hardware resource
 * doubled, one at a time): in words for the recommendation and the terminal's last line, and as a
 * table in the report's highlighted-points section. The busiest stage alone is not the answer: at
 * the default sweep's knee the pv stage is busy 88% of the cycles, yet doubling hw.pvMultipliers
 * moves latency +0.2% where hw.qkMultipliers moves it −10.5%.
 */
import type { Highlight, RunJson } from '../core/results.ts';
import { escapeHtml } from './escape.ts';
import { table, td } from './page.ts';
import { highlightLabel } from './spec-base.ts';
import type { Bound } from './recommend.ts';
import { bindingText } from '../core/latency-bounds.ts';

const esc = escapeHtml;
type Relief = NonNullable<Highlight['relief']>[number];

/** The resource of each pipeline stage (the knob that widens it), as dse/relief.ts doubles them. */
export const STAGE_KNOB: Record<string, string> = {
  qk: 'hw.qkMultipliers',
  pv: 'hw.pvMultipliers',
  topk: 'hw.topkParallelism',
  softmax: 'hw.softmaxParallelism',
  dram: 'hw.dramChannels',
};

/** "−10.5%" / "+0.2%": a ratio's change in percent, one decimal, a true minus sign. */
export function pct(ratio: number): string {
  const r = 100 * (ratio - 1);
  return `${r < 0 ? '−' : '+'}${Math.abs(r).toFixed(1)}%`;
}

/** "+4.12 mm²" / "−0.00 mm²". */
function mm2(d: number): string {
  return `${d < 0 ? '−' : '+'}${Math.abs(d).toFixed(2)} mm²`;
}

/** A knob as the words and the table name it: "hw.inFlight (not swept)" when the space does not sweep it. */
function knobLabel(knob: string, parameters: readonly string[]): string {
  return parameters.includes(knob) ? knob : `${knob} (not swept)`;
}

const knobName = (r: Relief, parameters: readonly string[]) => knobLabel(r.knob, parameters);

/** The relief with the lowest latency ratio (the first listed on a tie), or undefined. */
function lowest(rs: Relief[]): Relief | undefined {
  return rs.length ? rs.reduce((a, b) => (b.latencyRatio < a.latencyRatio ? b : a)) : undefined;
}

/** The knob whose doubling gives the lowest latency (the first listed on a tie); undefined without relief. */
export function bestRelief(h: Highlight): Relief | undefined {
  return lowest((h.relief ?? []).filter((r) => Number.isFinite(r.latencyRatio)));
}

/**
 * The busiest stage, the bound that sets the latency (core/latency-bounds.ts, when the highlight has
 * the analytical model's bounds) and what doubling each resource measured, in words: "busiest stage
 * pv (87% of its cycles), latency set by the front (heads-in-flight window 1,121,325, …); doubling
 * hw.keySramKB cuts latency most (−12.6%, +3.43 mm², breaks area_mm2 <= 20), within the constraints
 * hw.dramChannels −5.3% (+2.41 mm²), doubling hw.pvMultipliers +0.0%". Without relief (run.json
 * written before it), the busiest stage and the bound only.
 */
export function reliefWords(h: Highlight, parameters: readonly string[], bound: Bound | undefined): string | undefined {
  const stage = bound && Number.isFinite(bound.share) ? `busiest stage ${bound.stage} (${(100 * bound.share).toFixed(0)}% of its cycles)` : undefined;
  const binding = bindingText(h.bounds, h.stages);
  const busy = stage && binding ? `${stage}, ${binding}` : (stage ?? binding);
  const best = bestRelief(h);
  if (!best) return busy;
  const extra = [mm2(best.areaDelta), ...(best.breaks?.length ? [`breaks ${best.breaks.join(', ')}`] : [])].join(', ');
  const lead =
    best.latencyRatio < 1
      ? `doubling ${knobName(best, parameters)} cuts latency most (${pct(best.latencyRatio)}, ${extra})`
      : `doubling no single resource cuts latency (least change: ${knobName(best, parameters)} ${pct(best.latencyRatio)})`;
  const ownKnob = bound ? STAGE_KNOB[bound.stage] : undefined;
  const own = ownKnob && ownKnob !== best.knob ? h.relief!.find((r) => r.knob === ownKnob) : undefined;
  const ownText = own ? `, doubling ${knobName(own, parameters)} ${pct(own.latencyRatio)}` : '';
  return [busy, lead + withinConstraints(h, best, parameters) + ownText].filter((s): s is string => s !== undefined).join('; ');
}

/** When the best relief breaks a constraint: the best one that breaks none and cuts latency (", within the constraints hw.inFlight −5.3%, +0.00 mm²"), else ''. */
function withinConstraints(h: Highlight, best: Relief, parameters: readonly string[]): string {
  if (!best.breaks?.length) return '';
  const r = lowest((h.relief ?? []).filter((x) => !x.breaks?.length && x.latencyRatio < 1));
  if (!r) return '';
  return `, within the constraints ${knobName(r, parameters)} ${pct(r.latencyRatio)} (${mm2(r.areaDelta)})`;
}

/** One highlight's cells for a knob: value change, latency, energy, area (dashes when it was not doubled). */
function reliefCells(h: Highlight, knob: string, best: Relief | undefined): string[] {
  const r = h.relief?.find((x) => x.knob === knob);
  if (!r) return ['<td class="muted">–</td>', '<td class="muted">–</td>', '<td class="muted">–</td>'];
  const broke = r.breaks?.length ? ` <span class="tag" title="${esc(r.breaks.join(', '))}">breaks ${esc(r.breaks.join(', '))}</span>` : '';
  return [
    `<td class="num">${esc(`${r.from} → ${r.to}`)}</td>`,
    `<td class="num" title="${esc(String(r.latencyRatio))}">${r === best ? `<b>${esc(pct(r.latencyRatio))}</b>` : esc(pct(r.latencyRatio))}</td>`,
    `<td class="num">${esc(pct(r.energyRatio))} · ${esc(mm2(r.areaDelta))}${broke}</td>`,
  ];
}

/**
 * The highlights' relief as a table (knobs as rows, highlights as column groups); empty when no
 * highlight recorded one (a run.json written before it was measured).
 */
export function reliefTable(run: RunJson): string {
  const hs = (run.highlights ?? []).filter((h) => h.relief?.length);
  if (hs.length === 0) return '';
  const knobs: string[] = [];
  for (const h of hs) for (const r of h.relief!) if (!knobs.includes(r.knob)) knobs.push(r.knob);
  const head = ['resource', ...hs.flatMap((h) => [`${esc(highlightLabel(h.label))} (#${esc(h.id)})`, 'latency', 'energy · area'])];
  const best = hs.map(bestRelief);
  const rows = knobs.map((k) => [td(knobLabel(k, run.parameters)), ...hs.flatMap((h, i) => reliefCells(h, k, best[i]))]);
  return (
    `<h3>Relief: each hardware resource doubled</h3><div class="scroll">${table(head, rows, 'class="relief"')}</div>` +
    `<p class="muted">Each highlighted point evaluated again with one resource doubled (clipped to the schema's max; a knob at its max is left out), ` +
    `with the run's hardware model and measured pruning: the change in latency (bold: the largest cut), energy and area. ` +
    `hw.softmaxParallelism 0 means "match the Q·K rate" (qkMultipliers / 64 lanes): it is doubled from those lanes, and doubling hw.qkMultipliers doubles them too. ` +
    `"breaks": a constraint of the space on a hardware metric that the doubled point does not meet.</p>`
  );
}
