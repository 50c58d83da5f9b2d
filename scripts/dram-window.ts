/**
 * The DRAM request window, burst by burst: how the chunk-level model (sim/cycle/dram.ts
 * `HbmChannel`, an in-order window checked at a chunk's first burst and at the last of its first
 * queueDepth bursts) compares with the window applied to every burst, under two readings of the
 * official shim's "16 outstanding requests per channel" (spec §1.6):
 *
 * - in order: a burst enters when the burst queueDepth before it and every earlier one have
 *   returned (responses in request order) — the model's reading;
 * - count: a burst enters when fewer than queueDepth earlier bursts are outstanding, whichever
 *   returned (the queueDepth-th latest completion before it);
 * - before: the rule the model used until this script was written — a chunk entered when the burst
 *   queueDepth before its first had returned, whatever the order, and the window was not applied
 *   inside a chunk.
 *
 *   node --import tsx scripts/dram-window.ts [--count N] [--seed X] [--json]
 *
 * Every reading runs the same bank recurrence (PRE/ACT after the window, tRAS, tRC, tRRD, tFAW,
 * the PC bus); only the entry time of each burst differs. A stream's cost is the mean extra time
 * of following regions 13 … 24 after a fresh first region (latest end), on the first (sub-)channel
 * that carries data, of scripts/dram-validate.ts's random shapes (those of ≤ 3,000 bursts a channel
 * and region), and on named shapes at the default window.
 */
import { HbmChannel } from '../sim/cycle/dram.ts';
import { hbmTiming, subChannels, type HbmTiming } from '../sim/cycle/hbm-timing.ts';
import { gatherChunks } from '../sim/cycle/gather-layout.ts';
import { sampleOptions } from './sample-options.ts';
import { sampleShapes, type Shape } from './dram-validate.ts';

export type Reading = 'in-order' | 'count' | 'before';

/** One channel served burst by burst, the window applied to each burst as `reading` says. */
export class BurstChannel {
  private readonly openRow: number[];
  private readonly lastAct: number[];
  private readonly busFree: number[];
  private readonly lastActPc: number[];
  private readonly lastActBg: number[];
  private readonly faw: number[];
  private readonly fawIdx: number[];
  /** Completion of the burst at each position, and the latest completion up to each position. */
  private readonly done: number[] = [];
  private readonly doneBy: number[] = [];
  /** The queueDepth latest completions so far, ascending (count reading). */
  private readonly top: number[] = [];
  private entered = -1e9;

  constructor(readonly t: HbmTiming, readonly reading: Reading) {
    const nb = t.pcs * t.banks;
    this.openRow = new Array(nb).fill(-2);
    this.lastAct = new Array(nb).fill(-1e9);
    this.busFree = new Array(t.pcs).fill(-1e9);
    this.lastActPc = new Array(t.pcs).fill(-1e9);
    this.lastActBg = new Array(t.pcs * 4).fill(-1e9);
    this.faw = new Array(t.pcs * 4).fill(-1e9);
    this.fawIdx = new Array(t.pcs).fill(0);
  }

  /** Earliest entry of the burst at position x (requests enter in order). */
  private release(x: number): number {
    const Q = this.t.queueDepth;
    if (x < Q) return -1e9;
    if (this.reading === 'in-order') return this.doneBy[x - Q];
    if (this.reading === 'count') return this.top[0];
    return this.done[x - Q];
  }

  private record(c: number): void {
    this.done.push(c);
    this.doneBy.push(Math.max(this.doneBy.length > 0 ? this.doneBy[this.doneBy.length - 1] : -1e9, c));
    const top = this.top;
    let i = top.length;
    top.push(c);
    while (i > 0 && top[i - 1] > c) {
      top[i] = top[i - 1];
      i--;
    }
    top[i] = c;
    if (top.length > this.t.queueDepth) top.shift();
  }

  /** Serves row chunks ids + offset (ns bursts each), all arriving at 0: the latest end. */
  run(ids: ArrayLike<number>, ns: ArrayLike<number>, offset: number): number {
    const t = this.t;
    const space = Math.max(t.tBurst, t.tCCDL);
    let end = -Infinity;
    for (let k = 0; k < ids.length; k++) {
      const id = ids[k] + offset;
      const pc = id % t.pcs;
      const bank = Math.floor(id / t.pcs) % t.banks;
      const row = Math.floor(id / (t.pcs * t.banks));
      const bi = pc * t.banks + bank;
      let x = this.done.length;
      this.entered = Math.max(this.entered, this.release(x));
      let colReady = this.entered;
      if (this.openRow[bi] !== row) {
        let act = this.openRow[bi] !== -1 ? Math.max(this.entered, this.lastAct[bi] + t.tRAS) + t.tRP : this.entered;
        const fi = pc * 4 + this.fawIdx[pc];
        const gi = pc * 4 + (bank & 3);
        act = Math.max(act, this.lastAct[bi] + t.tRC, this.lastActPc[pc] + t.tRRDS, this.lastActBg[gi] + t.tRRDL, this.faw[fi] + t.tFAW);
        this.faw[fi] = this.lastAct[bi] = this.lastActPc[pc] = this.lastActBg[gi] = act;
        this.fawIdx[pc] = (this.fawIdx[pc] + 1) & 3;
        this.openRow[bi] = row;
        colReady = act + t.tRCD;
      }
      let d = Math.max(colReady + t.tCL, this.busFree[pc]);
      for (let j = 0; j < ns[k]; j++, x++) {
        if (j > 0) {
          if (this.reading !== 'before') this.entered = Math.max(this.entered, this.release(x));
          d = Math.max(d + space, this.reading === 'before' ? -Infinity : this.entered + t.tCL);
        }
        this.record(d + t.tBurst);
      }
      this.busFree[pc] = d + t.tBurst;
      end = Math.max(end, d + t.tBurst);
    }
    return end;
  }
}

const REGIONS = 24;

/** A stream's first (sub-)channel that carries data: chunk ids, bursts, region span, timing. */
function streamOf(L: number, n: number, B: number, channels: number, t0: HbmTiming) {
  const { t, channels: C } = subChannels(t0, channels);
  const list = gatherChunks(L, n, B, C, t).find((l) => l.n.length > 0);
  if (list === undefined) return undefined;
  const ids = Float64Array.from(list.n, (_, k) => (list.row[k] * t.banks + list.bank[k]) * t.pcs + list.pc[k]);
  return { ids, ns: Int32Array.from(list.n), span: Math.max(1, Math.ceil((L * B) / (t.burstBytes * C * t.burstsPerRow))), t };
}

/** Steady-state cycles a region: the chunk model and each burst-level reading. */
export function regionCost(L: number, n: number, B: number, channels: number, t0: HbmTiming): Record<'model' | Reading, number> | undefined {
  const s = streamOf(L, n, B, channels, t0);
  if (s === undefined) return undefined;
  const steady = (serve: (offset: number) => number): number => {
    let latest = -Infinity;
    let half = 0;
    for (let r = 0; r <= REGIONS; r++) {
      latest = Math.max(latest, serve(r * s.span));
      if (r === REGIONS / 2) half = latest;
    }
    return (latest - half) / (REGIONS / 2);
  };
  const ch = new HbmChannel(s.t, 'conflict');
  const out = { model: steady((o) => ch.serveIdsEnd(s.ids, s.ns, 0, s.ids.length, o, 0)) } as Record<'model' | Reading, number>;
  for (const reading of ['in-order', 'count', 'before'] as const) {
    const b = new BurstChannel(s.t, reading);
    out[reading] = steady((o) => b.run(s.ids, s.ns, o));
  }
  return out;
}

/** Named shapes at the default window (16) and the direct callers' (32), 1 GHz. */
export const NAMED: { name: string; L: number; n: number; B: number; channels: number; gbps: number; queueDepth: number; mapping: HbmTiming['mapping'] }[] = [
  { name: 'dense 993 × 96 B', L: 993, n: 993, B: 96, channels: 16, gbps: 32, queueDepth: 16, mapping: 'RoBaRaCoCh' },
  { name: '95% of 993 × 96 B', L: 993, n: 943, B: 96, channels: 16, gbps: 32, queueDepth: 16, mapping: 'RoBaRaCoCh' },
  { name: 'half of 1024 × 64 B', L: 1024, n: 512, B: 64, channels: 16, gbps: 32, queueDepth: 16, mapping: 'RoBaRaCoCh' },
  { name: 'dense 8192 × 64 B, 1 channel', L: 8192, n: 8192, B: 64, channels: 1, gbps: 32, queueDepth: 16, mapping: 'RoBaRaCoCh' },
  { name: 'dense 8192 × 64 B, 1 channel, window 32', L: 8192, n: 8192, B: 64, channels: 1, gbps: 32, queueDepth: 32, mapping: 'RoBaRaCoCh' },
  { name: 'dense 1024 × 64 B, PC-interleaved', L: 1024, n: 1024, B: 64, channels: 16, gbps: 32, queueDepth: 16, mapping: 'RoBaCoRaCh' },
  { name: 'dense 1024 × 64 B, 128 GB/s, window 8', L: 1024, n: 1024, B: 64, channels: 16, gbps: 128, queueDepth: 8, mapping: 'RoBaRaCoCh' },
];

export interface WindowReport {
  named: { name: string; cost: Record<'model' | Reading, number> }[];
  shapes: number;
  /** Quantiles (1, 10, 50, 90, 99, 100 %) of cost ÷ the count reading − 1. */
  vsCount: Record<'model' | 'in-order' | 'before', number[]>;
  /** The same of the model ÷ the burst-level in-order reading − 1. */
  modelVsInOrder: number[];
}

export const QUANTILES = [0.01, 0.1, 0.5, 0.9, 0.99, 1];

export function windowReport(count: number, seed: number): WindowReport {
  const named = NAMED.map((s) => ({ name: s.name, cost: regionCost(s.L, s.n, s.B, s.channels, hbmTiming({ clockGHz: 1, dramChannelGBps: s.gbps }, { queueDepth: s.queueDepth, mapping: s.mapping, refresh: false }))! }));
  const ratios = { model: [] as number[], 'in-order': [] as number[], before: [] as number[] };
  const modelVsInOrder: number[] = [];
  for (const s of sampleShapes(seed, count) as Shape[]) {
    if ((s.L * s.B) / 32 / s.channels > 3000) continue;
    const r = regionCost(s.L, s.n, s.B, s.channels, hbmTiming({ clockGHz: 1, dramChannelGBps: s.gbps }, { queueDepth: s.queueDepth, mapping: s.mapping, refresh: false }));
    if (r === undefined || !(r.count > 0)) continue;
    for (const k of ['model', 'in-order', 'before'] as const) ratios[k].push(r[k] / r.count - 1);
    modelVsInOrder.push(r.model / r['in-order'] - 1);
  }
  const q = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    return QUANTILES.map((p) => s[Math.min(s.length - 1, Math.floor(p * s.length))]);
  };
  return { named, shapes: modelVsInOrder.length, vsCount: { model: q(ratios.model), 'in-order': q(ratios['in-order']), before: q(ratios.before) }, modelVsInOrder: q(modelVsInOrder) };
}

const USAGE = 'usage: node --import tsx scripts/dram-window.ts [--count N (600)] [--seed X (1)] [--json]';


/** The script's output: the named streams' cycles a region, then the random shapes' quantiles. */
export function windowTables(r: WindowReport, count: number, seed: number): string[] {
  const f = (x: number) => x.toFixed(1);
  const pct = (xs: number[]) => xs.map((x) => `${x >= 0 ? '+' : ''}${(100 * x).toFixed(1)}%`).join(' | ');
  return [
    'cycles a region, 1 GHz, 32-B bursts (the model: chunk level; the rest: burst level)',
    '',
    '| stream | model | in order | count | before |',
    '|---|---|---|---|---|',
    ...r.named.map((x) => `| ${x.name} | ${f(x.cost.model)} | ${f(x.cost['in-order'])} | ${f(x.cost.count)} | ${f(x.cost.before)} |`),
    '',
    `${r.shapes} random shapes (${count} drawn, seed ${seed}): cost ÷ the count reading − 1`,
    '',
    '| | p1 | p10 | p50 | p90 | p99 | max |',
    '|---|---|---|---|---|---|---|',
    ...(['model', 'in-order', 'before'] as const).map((k) => `| ${k} | ${pct(r.vsCount[k])} |`),
    `| model ÷ in order | ${pct(r.modelVsInOrder)} |`,
  ];
}

const isMain = process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].split('/').pop()!);
if (isMain) {
  const { count, seed, json } = sampleOptions(USAGE, 600);
  const r = windowReport(count, seed);
  if (json) console.log(JSON.stringify({ count, seed, quantiles: QUANTILES, ...r }, null, 1));
  else console.log(windowTables(r, count, seed).join('\n'));
}
