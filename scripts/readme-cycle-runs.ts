/**
 * The commands sim/cycle/README.md's generated blocks quote (scripts/readme-cycle.ts: the tables,
 * scripts/readme-cycle-prose.ts: the sentences), typed as their `--json` prints them, and the number
 * formats both use. Each command runs once per process (readme-commands.ts `nodeJson`).
 */
import { cli, f3, script } from './readme-commands.ts';

export type Model = 'cycle' | 'analytical';
export type Stages = Record<'dram' | 'qk' | 'softmax' | 'topk' | 'pv' | 'overhead', number>;

export interface Fig19 {
  config: string; P: number[]; gops: number[]; relative: number[]; paper: number[]; paperGops: number[];
  busiest: string[]; stagesAt16: Stages; gopsAt16: number;
}
interface Fig20Row { step: string; stepSpeedup: number; ok: boolean; bottleneck: string; stages: Stages }
export interface Fig20 { config: string; rows: Fig20Row[]; combined: { name: string; ours: number; ok: boolean }[]; tolerance: number }
export interface Fig20Out { configurations: Fig20[]; paper: { steps: number[]; combined: { name: string; from: number; to: number; paper: number }[] } }
interface Reading { reading: string; relative: number[]; at16: { cycles: number; topk: number; dram: number; busiest: string } }
interface Fit { a?: number; b: number; d?: number; rms: number }
interface Scan { selections: number; keys: number; scanned: number }
export interface Readings { comparators: number[]; paper: number[]; readings: Reading[]; fits: Record<string, Fit>; scan: { localV: Scan; tokenHead: Scan } }
interface DramRow { dram: string; peakGBps: number; cumulative: number[]; suiteTflops: number; per8Gops: number }
export interface Bandwidth {
  peakGBps: number;
  paperImplied: { asicBaselineGBps: number; fig18GBps: number; table4AttentionTflops: number; section54Tflops: number };
  oursDenseGBps: number;
  paper: { cumulative: number[]; suiteTflops: number; per8Gops: number };
  rows: DramRow[];
}
interface Fig18Point { point: string; opsPerByte: number; tflops: number; paper: { opsPerByte: number; tflops: number }; error: { tflops: number } }
interface SramRow { trace: string; kb: number; speedupVs196: number }
interface Table4Row { platform: string; quantity: string; ours: number; paper: number; error: number }
/** `simulate --json`: the fields the blocks read. */
export interface SimResult { gops: number; latency_s: number; cycles: number; energy_j: number; dram_bytes: number; stages: Stages; activity: { dramActivations: number } }

export const PER8 = 'summary-gpt2-small-wikitext2-per8.csv';
export const PER8_DENSE = 'summary-gpt2-small-wikitext2-per8-step1+dedic.csv';
/** The released GPT-2-Medium workload's settings on the suite's GPT-2-Medium benchmark (sim/cycle/README.md quotes the command). */
export const RELEASED_GPT2_MEDIUM = ['--workload', 'gpt2-medium-wikitext2', '--set', 'algo.lsbRefetchFraction=1', '--set', 'algo.msbBits=8', '--set', 'algo.valueBits=8', '--set', 'algo.queryBits=16', '--set', 'algo.tokenKeep=0.446', '--set', 'algo.valueKeep=0.3', '--set', 'algo.headKeep=0.89'];

const one = <T extends { config: string }>(xs: T[], name: string): T => {
  const x = xs.find((c) => c.config === name);
  if (!x) throw new Error(`no configuration ${name}`);
  return x;
};

/** `reproduce fig19a --fidelity M --json`'s configuration `config`. */
export const fig19 = (m: Model, config: string) => one(cli<{ configurations: Fig19[] }>(['reproduce', 'fig19a', '--fidelity', m]).configurations, config);
/** `reproduce fig20 --fidelity M --json`. */
export const fig20Out = (m: Model) => cli<Fig20Out>(['reproduce', 'fig20', '--fidelity', m]);
export const fig20 = (m: Model, config: string) => one(fig20Out(m).configurations, config);
/** `reproduce fig18 --fidelity M --json`'s point `name` (e.g. "SpAtten GPT-2"). */
export function fig18(m: Model, name: string): Fig18Point {
  const p = cli<{ points: Fig18Point[] }>(['reproduce', 'fig18', '--fidelity', m]).points.find((x) => x.point === name);
  if (!p) throw new Error(`fig18: no point ${name}`);
  return p;
}
/** `reproduce sram --fidelity M --json`: the speed-up over 196 KB of `trace` at `kb`. */
export function sramSpeedup(m: Model, trace: string, kb: number): number {
  const r = cli<{ rows: SramRow[] }>(['reproduce', 'sram', '--fidelity', m]).rows.find((x) => x.trace === trace && x.kb === kb);
  if (!r) throw new Error(`sram: no row ${trace} ${kb} KB`);
  return r.speedupVs196;
}
/** `reproduce table4 --json` (cycle): the row of `platform` and `quantity`. */
export function table4(platform: string, quantity: string): Table4Row {
  const r = cli<{ rows: Table4Row[] }>(['reproduce', 'table4']).rows.find((x) => x.platform === platform && x.quantity === quantity);
  if (!r) throw new Error(`table4: no row ${platform} ${quantity}`);
  return r;
}
/** `simulate ARGS --fidelity M --json`. */
export const simulate = (m: Model, args: string[]) => cli<SimResult>(['simulate', ...args, '--fidelity', m]);
export const per8 = (m: Model) => simulate(m, ['--trace', `sim/workload/traces/${PER8}`]);
/** `scripts/topk-readings.ts --json`, and its reading whose name starts with `name`. */
export const readings = () => script<Readings>('topk-readings.ts');
export function reading(name: string): Reading {
  const r = readings().readings.find((x) => x.reading.startsWith(name));
  if (!r) throw new Error(`topk-readings: no reading ${name}`);
  return r;
}
/** `scripts/gpt2-bandwidth.ts --json`. */
export const bandwidth = () => script<Bandwidth>('gpt2-bandwidth.ts');

/** A qualitative claim of a generated sentence of `readme`; when the figures no longer bear it out, the sentence (in `where`) must be rewritten. */
export function claim(holds: boolean, what: string, where = 'scripts/readme-cycle-prose.ts', readme = 'sim/cycle/README.md'): void {
  if (!holds) throw new Error(`${readme}: ${what} no longer holds; rewrite the sentence in ${where}`);
}

/** A markdown table row, and the rule under a header of `n` columns. */
export const row = (cells: (string | number)[]) => `| ${cells.join(' | ')} |`;
export const rule = (n: number) => `|${'---|'.repeat(n)}`;

export const int = (x: number) => Math.round(x).toLocaleString('en-US');
export const rel = (x: number) => (x === 1 ? '1' : f3(x));
/** A stage's name as the prose writes it. */
export const stage = (s: string) => ({ topk: 'top-k', dram: 'DRAM' })[s] ?? s;
/** x / base − 1 as a signed whole percent (−22%, +36%), with `digits` decimals when asked. */
export function pct(ratio: number, digits = 0): string {
  const d = Number(((ratio - 1) * 100).toFixed(digits));
  return `${d < 0 ? '−' : '+'}${Math.abs(d).toFixed(digits)}%`;
}
/** |x / base − 1| as a whole percent, unsigned (the prose says "leads by 6%"). */
export const pctAbs = (ratio: number) => `${Math.abs(Math.round((ratio - 1) * 100))}%`;

/** A word that, first on a line, would start a Markdown block (list item, quote, heading, rule). */
const opensBlock = (word: string) => /^([-+*>]|#+|\d+[.)]|=+|-+)$/.test(word);

/** A paragraph as README lines of at most `width` characters (longer only to keep a block marker off a line's start); `first` and `rest` prefix the lines (a list item: "- ", "  "). */
export function wrap(text: string, first = '', rest = '', width = 100): string[] {
  const lines: string[] = [];
  let line = first;
  for (const word of text.split(' ')) {
    const empty = line.length === (lines.length === 0 ? first : rest).length;
    if (empty) line += word;
    else if (line.length + 1 + word.length > width && !opensBlock(word)) {
      lines.push(line);
      line = rest + word;
    } else line += ` ${word}`;
  }
  lines.push(line);
  return lines;
}
