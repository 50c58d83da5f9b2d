/**
 * `spatten-dse reproduce <figure|all> [--fidelity cycle|analytical] [--set hw.X=V …] [--json] [--report FILE]`:
 * our prediction next to the paper's figure, on the paper's own hardware (Table I). The figures are
 * modules under dse/reproduce/ (FIGURES in dse/reproduce/index.ts); each states the workload and
 * pruning settings it uses and prints absolute numbers next to relative ones. Configurations that
 * were fitted to a figure (scripts/fig-search.ts) appear only as labelled sensitivity studies.
 * `--report FILE` also writes a static HTML page plotting each figure on the paper's axes, ours
 * next to the paper's values (reports/figures/).
 */
import type { Command } from 'commander';
import { FIGURES, type PaperFigure } from '../reproduce/index.ts';
import { parseSets } from '../space.ts';
import { fsInputError, InputError } from '../errors.ts';
import { didYouMean } from '../../core/suggest.ts';
import { checkOutFile } from '../outputs.ts';
import { lastSet, wordBitsNeed, type WordNeed } from '../point-checks.ts';
import { BufferTooSmallError } from '../../sim/cycle/geometry.ts';
import { WordTooNarrowError } from '../reproduce/common.ts';
import type { HardwareConfig } from '../../sim/schema.ts';
import type { FigureJson, FigureRun } from '../reproduce/types.ts';
import { REFERENCE_FIDELITY } from '../../sim/fidelities.ts';
import { addFidelityOptions, chosenFidelity, type FidelityChoice } from '../fidelity-option.ts';

export { fig19a, FIG19A_P, FIG19A_PAPER, FIG19A_PAPER_GOPS, FIG19A_CONFIGS } from '../reproduce/fig19a.ts';
export { fig20, fig20Steps, FIG20_CONFIGS, FIG20_WORKLOAD, FIG20_COMBINED } from '../reproduce/fig20.ts';
export { sram, SRAM_KB } from '../reproduce/sram.ts';
export { PER8, PER8_DENSE, TRACE_DIR, type ModelName } from '../reproduce/common.ts';

/** `--set` values for the hardware (hw.X only: the figures fix their own workloads and pruning). */
function hwOverrides(sets: string[]): Partial<HardwareConfig> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(parseSets(sets))) {
    if (!k.startsWith('hw.')) throw new InputError(`--set ${k}: reproduce takes hardware settings only (hw.X); each figure states its own workload and pruning`);
    out[k.slice(3)] = v;
  }
  return out as Partial<HardwareConfig>;
}

/**
 * A `--set` of a knob a selected figure sets itself (its x axis, or what its steps are) is refused:
 * the figure would override it, or it would override the figure's own values, under labels that no
 * longer hold (e.g. `fig19a --set hw.topkParallelism=4` printed the 1 … 32 sweep unchanged under
 * "with --set topkParallelism=4 on top").
 */
export function checkFixedKnobs(figures: readonly PaperFigure[], hw: Partial<HardwareConfig>, what: string): void {
  for (const k of Object.keys(hw) as (keyof HardwareConfig)[]) {
    const hit = figures.filter((f) => f.fixes?.[k] !== undefined);
    if (hit.length === 0) continue;
    if (what !== 'all') throw new InputError(`--set hw.${k}: ${what} sets hw.${k} itself, ${hit[0].fixes![k]}; leave it out`);
    const names = hit.map((f) => f.name).join(', ');
    throw new InputError(`--set hw.${k}: ${names} ${hit.length === 1 ? 'sets' : 'set'} hw.${k} ${hit.length === 1 ? 'itself' : 'themselves'} (\`reproduce ${hit[0].name} --set hw.${k}=…\` says how); leave it out, or reproduce the other figures one at a time with it`);
  }
}

/** A figure's word-width check: its minimum word (the widest configuration's need) and its configurations below the word they run on. */
interface FigureWord {
  name: string;
  configs: number;
  widest: { config: string; need: WordNeed };
  short: { config: string; need: WordNeed }[];
  word: number;
}

/** The word-width check of a figure: every configuration's need (dse/point-checks.ts `wordBitsNeed`) against its hw.wordBits. */
export function figureWord(f: PaperFigure, hw: Partial<HardwareConfig>): FigureWord {
  const all = f.configs(hw).map((c) => ({ config: c.config, need: wordBitsNeed(c.point), word: c.point.hw.wordBits }));
  const widest = all.reduce((a, b) => (b.need.bits > a.need.bits ? b : a));
  const short = all.filter((c) => c.word < c.need.bits);
  return { name: f.name, configs: all.length, widest, short, word: short[0]?.word ?? widest.word };
}

/**
 * hw.wordBits against every configuration of the selected figures, before any runs: too narrow
 * for some is bad input giving the figure's minimum (what every configuration of it needs), the
 * widest configuration's reason and each configuration that does not fit, one a line (for `all`:
 * the figures below the word, with their minimums; each alone names its configurations).
 */
export function checkFigureWords(figures: readonly PaperFigure[], hw: Partial<HardwareConfig>, sets: string[], what: string): void {
  const narrow = figures.map((f) => figureWord(f, hw)).filter((w) => w.short.length > 0);
  if (narrow.length === 0) return;
  const word = narrow[0].word;
  const cause = lastSet(sets, 'hw.wordBits') ?? `hw.wordBits = ${word}`;
  if (what !== 'all') {
    const [w] = narrow;
    const min = w.widest.need.bits;
    const lines = [`  the widest, ${w.widest.config}: ${w.widest.need.why}`, ...w.short.map((c) => `  does not fit ${word} bits: ${c.config} (needs ${c.need.bits})`)];
    throw new InputError(`${cause}: too narrow for figure ${w.name}: its minimum is hw.wordBits ${min}, what every configuration of it needs; ${w.short.length} of its ${w.configs} configurations do not fit ${word} bits, listed below; the figure fixes its data widths: leave hw.wordBits out or set it to ${min} or more\n${lines.join('\n')}`);
  }
  const least = Math.max(...narrow.map((w) => w.widest.need.bits));
  const lines = narrow.map((w) => `  ${w.name}: needs at least ${w.widest.need.bits} (${w.short.length} of its ${w.configs} configurations do not fit ${word}; \`reproduce ${w.name} --set hw.wordBits=${word}\` names them)`);
  throw new InputError(`${cause}: too narrow for ${narrow.length} of the figures, listed below: reproduce all needs hw.wordBits of at least ${least}; the figures fix their data widths: leave hw.wordBits out, set it to ${least} or more, or reproduce the other figures one at a time with it\n${lines.join('\n')}`);
}

/**
 * A figure's run; an SRAM too small for the cycle model (for one of the figure's arrays) is bad
 * input naming the knob and that array's minimum, and so is a word narrower than the data of one
 * of its configurations (the check `simulate` and `compare` make: the figure fixes the widths, so
 * only hw.wordBits can be changed).
 */
function runFigure(f: PaperFigure, model: string, hw: Partial<HardwareConfig>, sets: string[]): FigureRun {
  try {
    return f.run({ fidelity: model, hw });
  } catch (e) {
    if (e instanceof WordTooNarrowError) {
      const cause = lastSet(sets, 'hw.wordBits') ?? `hw.wordBits = ${hw.wordBits}`;
      const why = e.problem.replace(/; hw\.wordBits must be at least.*$/, '');
      throw new InputError(`${cause}: too narrow for figure ${f.name}: its ${e.config} needs hw.wordBits of at least ${e.minBits} (${why}); the figure fixes its data widths: leave hw.wordBits out or widen it`);
    }
    if (!(e instanceof BufferTooSmallError)) throw e;
    const cause = lastSet(sets, e.knob) ?? e.knob;
    throw new InputError(`${cause}: too small for the cycle model in figure ${f.name}: one of its configurations needs at least ${e.minKB} KB`);
  }
}

export function register(program: Command): void {
  const names = FIGURES.map((f) => f.name);
  const base = program
    .command('reproduce')
    .description("reproduce the paper's figures on its own hardware (Table I) with our models")
    .argument('<what>', `${names.join(' | ')} | all`);
  addFidelityOptions(base, REFERENCE_FIDELITY)
    .option('-s, --set <key=value>', "override a hardware setting for every configuration, e.g. --set hw.topkModel=official-rtl (repeatable); not one a figure sets itself (fig19a's, fig20's and fig20gpu's top-k comparators, sram's SRAM sizes: refused)", (v: string, p: string[]) => [...p, v], [] as string[])
    .option('--json', 'print JSON instead of tables')
    .option('--report <file>', "also write a self-contained HTML page plotting each figure on the paper's axes, ours next to the paper's values where the spec gives them")
    .action(async (what: string, o: FidelityChoice & { set: string[]; json?: boolean; report?: string }) => {
      if (what !== 'all' && !names.includes(what)) throw new InputError(`reproduce: unknown figure "${what}"${didYouMean(what, [...names, 'all']) || ` (${names.join(' | ')} | all)`}`);
      const fid = chosenFidelity(o, REFERENCE_FIDELITY);
      const hw = hwOverrides(o.set);
      const selected = FIGURES.filter((f) => what === 'all' || f.name === what);
      checkFixedKnobs(selected, hw, what);
      checkFigureWords(selected, hw, o.set, what);
      // --report FILE must name a file in an existing, writable folder (checked before any figure runs)
      if (o.report !== undefined) checkOutFile(o.report, `--report ${o.report}`, 'reproduce.html', false);
      const res: Record<string, FigureJson> = {};
      const text: string[] = [];
      const done: ({ name: string; describe: string } & FigureRun)[] = [];
      for (const f of FIGURES) {
        if (what !== 'all' && f.name !== what) continue;
        const r = runFigure(f, fid, hw, o.set);
        res[f.name] = r.rows;
        text.push(r.text);
        done.push({ name: f.name, describe: f.describe, ...r });
      }
      // one figure: its JSON envelope (dse/reproduce/types.ts FigureJson); `all`: each figure's under its name
      const json = what === 'all' ? res : res[what];
      process.stdout.write(o.json ? JSON.stringify(json, null, 2) + '\n' : text.join('\n\n') + '\n');
      if (o.report !== undefined) {
        // Loaded on use: vega + vega-lite take ~1 s to import.
        const { renderFigureReport } = await import('../../reports/figures/index.ts');
        const { writeFileAtomic } = await import('../../core/atomic.ts');
        const command = ['npx spatten-dse reproduce', what, '--fidelity', fid, ...o.set.flatMap((x) => ['--set', x])].join(' ');
        const html = await renderFigureReport(done, command);
        try {
          writeFileAtomic(o.report, html);
        } catch (e) {
          throw fsInputError(e, `--report ${o.report}`);
        }
        process.stderr.write(`wrote ${o.report} (${(Buffer.byteLength(html) / 1024).toFixed(0)} KiB)\n`);
      }
    });
}
