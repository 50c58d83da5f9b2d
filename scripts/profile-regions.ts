/**
 * How many following regions a DRAM stream profile needs (sim/cycle/dram-profile.ts
 * `followingRegions`, used by both models): each rule's occupancy against a 400-region run.
 *
 *   node --import tsx scripts/profile-regions.ts [--count N] [--seed X] [--json]
 *
 * Shapes: scripts/dram-validate.ts's random sample (1–32 channels, 1–1024 GB/s, windows 1–1024,
 * both mappings, every head dimension × 1–32 bits, L 16–4096, a quarter dense); each is priced on
 * its first (sub-)channel that carries data, and again at twice the channel GB/s (same window).
 * The reference is the mean extra time of regions 201 … 400 after a fresh first region (the
 * profile's own construction, run long). For each rule (one measured after m warm-up regions, the
 * fix proposed before the rule changed): quantiles of |rule ÷ reference − 1|, the
 * chunks served relative to the rule used before (tFAW and window twice, at most 32), and how many GB/s
 * doublings came out more than 0.5% slower (the reference's count beside it).
 */
import { HbmChannel } from '../sim/cycle/dram.ts';
import { subChannels, type HbmTiming } from '../sim/cycle/hbm-timing.ts';
import { FOLLOWING, followingRegions, type FollowingRule } from '../sim/cycle/dram-profile.ts';
import { gatherChunks } from '../sim/cycle/gather-layout.ts';
import { sampleOptions } from './sample-options.ts';
import { sampleShapes, timingOf, type Shape } from './dram-validate.ts';

const BEFORE: FollowingRule = { faw: 2, window: 2, min: 2, max: 32 };
/** A rule, and whether its mean is taken after as many regions again (warm-up) instead of after the first. */
export const RULES: { name: string; rule: FollowingRule; warm?: boolean }[] = [
  { name: 'before (tFAW and window twice)', rule: BEFORE },
  { name: 'before, measured after m warm-up regions', rule: BEFORE, warm: true },
  { name: 'tFAW 4 times, window twice', rule: { faw: 4, window: 2, min: 2, max: 32 } },
  { name: 'tFAW 6 times, window twice', rule: { faw: 6, window: 2, min: 2, max: 32 } },
  { name: 'tFAW twice, window 6 times', rule: { faw: 2, window: 6, min: 2, max: 32 } },
  { name: 'tFAW and window 6 times', rule: { faw: 6, window: 6, min: 2, max: 32 } },
  { name: 'tFAW and window 6 times, ≤ 64', rule: { faw: 6, window: 6, min: 2, max: 64 } },
  { name: 'before, ≥ 8 regions', rule: { faw: 2, window: 2, min: 8, max: 32 } },
];

const REF_FROM = 200;
const REF_TO = 400;

/** One channel's regions: its chunk ids and bursts, the region span in chunks, on timing `t`. */
interface Stream {
  ids: Float64Array;
  ns: Int32Array;
  span: number;
  bursts: number;
  t: HbmTiming;
}

function streamOf(s: Shape, gbps: number): Stream | undefined {
  const { t, channels } = subChannels(timingOf({ ...s, gbps }), s.channels);
  const list = gatherChunks(s.L, s.n, s.B, channels, t).find((l) => l.n.length > 0);
  if (list === undefined) return undefined;
  const ids = Float64Array.from(list.n, (_, k) => (list.row[k] * t.banks + list.bank[k]) * t.pcs + list.pc[k]);
  const span = Math.max(1, Math.ceil((s.L * s.B) / (t.burstBytes * channels * t.burstsPerRow)));
  return { ids, ns: Int32Array.from(list.n), span, bursts: list.n.reduce((a, b) => a + b, 0), t };
}

/**
 * Ends of the fresh first region (index 0) and of each following region r = 1 … R: `last[r]` region
 * r's own end (what the profile reads after its m-th region), `latest[r]` the latest so far.
 */
function endsOf(st: Stream, R: number): { last: Float64Array; latest: Float64Array } {
  const ch = new HbmChannel(st.t, 'conflict');
  const last = new Float64Array(R + 1);
  const latest = new Float64Array(R + 1);
  for (let r = 0; r <= R; r++) {
    last[r] = ch.serveIdsEnd(st.ids, st.ns, 0, st.ids.length, r * st.span, 0);
    latest[r] = r === 0 ? last[0] : Math.max(latest[r - 1], last[r]);
  }
  return { last, latest };
}

export interface RuleRow {
  name: string;
  rule: FollowingRule;
  p50: number;
  p90: number;
  p95: number;
  p99: number;
  max: number;
  /** Chunks served, relative to the rule before. */
  cost: number;
  /** GB/s doublings more than 0.5% slower. */
  slower: number;
}

export function compareRules(count: number, seed: number): { streams: number; referenceSlower: number; rows: RuleRow[] } {
  const errs = RULES.map(() => [] as number[]);
  const chunks = RULES.map(() => 0);
  const slower = RULES.map(() => 0);
  let referenceSlower = 0;
  let streams = 0;
  for (const s of sampleShapes(seed, count)) {
    const pair = [s.gbps, 2 * s.gbps].map((g) => streamOf(s, g));
    if (pair[0] === undefined || pair[1] === undefined) continue;
    const got = pair.map((st) => {
      const { last, latest } = endsOf(st!, REF_TO);
      const ref = (latest[REF_TO] - latest[REF_FROM]) / (REF_TO - REF_FROM);
      const byRule = RULES.map(({ rule, warm }, i) => {
        const m = followingRegions(st!.ids.length, st!.bursts, st!.t, rule);
        chunks[i] += (1 + (warm ? 2 : 1) * m) * st!.ids.length;
        return warm ? (last[2 * m] - last[m]) / m : (last[m] - last[0]) / m;
      });
      return { ref, byRule };
    });
    streams += 2;
    if (got[1].ref > got[0].ref * 1.005) referenceSlower++;
    RULES.forEach((_, i) => {
      if (got[1].byRule[i] > got[0].byRule[i] * 1.005) slower[i]++;
      for (const g of got) if (g.ref > 0) errs[i].push(Math.abs(g.byRule[i] / g.ref - 1));
    });
  }
  const rows = RULES.map(({ name, rule }, i) => {
    const e = errs[i].sort((a, b) => a - b);
    const q = (p: number) => e[Math.min(e.length - 1, Math.floor(p * e.length))];
    return { name, rule, p50: q(0.5), p90: q(0.9), p95: q(0.95), p99: q(0.99), max: e[e.length - 1], cost: chunks[i] / chunks[0], slower: slower[i] };
  });
  return { streams, referenceSlower, rows };
}

const USAGE = 'usage: node --import tsx scripts/profile-regions.ts [--count N (3000)] [--seed X (1)] [--json]';


/** Whether `x` is the rule both models use (`FOLLOWING`). */
export const isUsedRule = (x: FollowingRule): boolean => x.faw === FOLLOWING.faw && x.window === FOLLOWING.window && x.min === FOLLOWING.min && x.max === FOLLOWING.max;

/** The script's output: one row per rule. */
export function rulesTable(r: ReturnType<typeof compareRules>, count: number, seed: number): string[] {
  const pct = (x: number) => `${(100 * x).toFixed(2)}%`;
  const used = isUsedRule;
  return [
    `${r.streams} streams (${count} shapes × 2 GB/s, seed ${seed}); |rule ÷ ${REF_TO - REF_FROM}-region reference − 1|; the reference itself is slower at 2× GB/s in ${r.referenceSlower} pairs`,
    '',
    '| rule | p50 | p90 | p95 | p99 | max | chunks served | slower at 2× GB/s |',
    '|---|---|---|---|---|---|---|---|',
    ...r.rows.map((x) => `| ${x.name}${used(x.rule) ? ' (used)' : ''} | ${pct(x.p50)} | ${pct(x.p90)} | ${pct(x.p95)} | ${pct(x.p99)} | ${pct(x.max)} | ${x.cost.toFixed(2)}× | ${x.slower} |`),
  ];
}

const isMain = process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].split('/').pop()!);
if (isMain) {
  const { count, seed, json } = sampleOptions(USAGE, 3000);
  const r = compareRules(count, seed);
  if (json) console.log(JSON.stringify({ count, seed, used: FOLLOWING, ...r }, null, 1));
  else console.log(rulesTable(r, count, seed).join('\n'));
}
