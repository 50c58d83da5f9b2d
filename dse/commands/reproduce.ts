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
import { checkOutFile } from '../outputs.ts';
import { lastSet } from '../point-checks.ts';
import { BufferTooSmallError } from '../../sim/cycle/geometry.ts';
import { WordTooNarrowError } from '../reproduce/common.ts';
import type { HardwareConfig } from '../../sim/schema.ts';
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

/**
 * A figure's run; an SRAM too small for the cycle model (for one of the figure's arrays) is bad
 * input naming the knob and that array's minimum, and so is a word narrower than the data of one
 * of its configurations (the check `simulate` and `compare` make: the figure fixes the widths, so
 * only hw.wordBits can be changed).
 */
function runFigure(f: (typeof FIGURES)[number], model: string, hw: Partial<HardwareConfig>, sets: string[]) {
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
    .option('--report <file>', "also write an HTML page plotting each figure on the paper's axes, ours next to the paper's values")
    .action(async (what: string, o: FidelityChoice & { set: string[]; json?: boolean; report?: string }) => {
      if (what !== 'all' && !names.includes(what)) throw new InputError(`reproduce: unknown figure "${what}" (${names.join(' | ')} | all)`);
      const fid = chosenFidelity(o, REFERENCE_FIDELITY);
      const hw = hwOverrides(o.set);
      checkFixedKnobs(FIGURES.filter((f) => what === 'all' || f.name === what), hw, what);
      // --report FILE must name a file in an existing, writable folder (checked before any figure runs)
      if (o.report !== undefined) checkOutFile(o.report, `--report ${o.report}`, 'reproduce.html', false);
      const res: Record<string, unknown> = {};
      const text: string[] = [];
      const done: { name: string; describe: string; rows: unknown; text: string }[] = [];
      for (const f of FIGURES) {
        if (what !== 'all' && f.name !== what) continue;
        const r = runFigure(f, fid, hw, o.set);
        res[f.name] = r.rows;
        text.push(r.text);
        done.push({ name: f.name, describe: f.describe, ...r });
      }
      // one figure: its rows; `all`: every figure's rows under its name
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
