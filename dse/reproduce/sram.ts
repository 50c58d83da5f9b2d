/**
 * SRAM size study (the sweep of Fig. 19b, whose bars the spec withholds): key = value SRAM 196
 * (Table I), 392 and 784 KB on the official pruned GPT-2 trace and its dense reference, Table I
 * hardware otherwise.
 */
import { REFERENCE_FIDELITY } from '../../sim/fidelities.ts';
import type { FigureConfig, FigureOptions, PaperFigure } from './types.ts';
import path from 'node:path';
import { PER8, PER8_DENSE, checkWord, envelope, evaluate, hardware, hwLabel, modelOf, trace, tracePoint, type ModelName } from './common.ts';
import type { HardwareConfig } from '../../sim/schema.ts';

export const SRAM_KB = [196, 392, 784];
export interface SramRow {
  /** The hardware model that produced the row (cycle | analytical). */
  model: ModelName;
  /** Fig. 19b's bars are withheld from the spec: these rows are predictions. */
  paper: 'withheld';
  trace: string;
  kb: number;
  cycles: number;
  gops: number;
  speedupVs196: number;
  overheadCycles: number;
  /** The user's `--set hw.X=…` overrides on top of Table I ({} without --set): the --report caption names them. */
  hwSet: Partial<HardwareConfig>;
}

/** A trace at a key and value SRAM size with the user's overrides, named as the messages name it. */
function sramConfig(file: string, kb: number, user: Partial<HardwareConfig>): FigureConfig {
  return { config: `trace ${path.basename(file)} at ${kb} KB`, point: tracePoint(file, hardware(user, { keySramKB: kb, valueSramKB: kb })) };
}

export function sram(model: ModelName = REFERENCE_FIDELITY, user: Partial<HardwareConfig> = {}): SramRow[] {
  const rows: SramRow[] = [];
  for (const f of [PER8, PER8_DENSE]) {
    const w = trace(f);
    let base = 0;
    for (const kb of SRAM_KB) {
      const { config, point } = sramConfig(f, kb, user);
      checkWord(point, config);
      const r = evaluate(model, w, point.hw);
      if (!base) base = r.cycles;
      rows.push({ model, paper: 'withheld', trace: path.basename(f), kb, cycles: r.cycles, gops: r.gops, speedupVs196: base / r.cycles, overheadCycles: Math.round(r.stages.overhead), hwSet: user });
    }
  }
  return rows;
}

/** Why the dense trace gains from a larger SRAM and the pruned one does not (printed under the table; `why` in --json). */
const SRAM_WHY = [
  '  196 KB holds 256 lines = 2048 keys (two 1024-token heads). A dense head of ~1000 keys takes',
  '  126 lines and keeps them until its (two-pass) progressive-quantization decision, so only two',
  '  heads overlap; pruned heads (≤ 921 keys, most ≤ 204) already fit many at a time in 196 KB.',
];

function print(rows: SramRow[], model: string, user: Partial<HardwareConfig> = {}): string {
  const out: string[] = [
    `SRAM — key and value SRAM size vs throughput, the axes of Fig. 19b (${model} model, ${hwLabel(user)} otherwise); the paper's bars are withheld (an independent check): ours are predictions`,
    '  KB = the size of the key SRAM and of the value SRAM, each (Table I: 196); vs 196 = speedup over 196 KB; stall = cycles beyond the busiest stage\'s busy cycles; GOP/s as in Fig. 19a',
    '  traces: per8 = the Fig. 19a workload; per8-step1+dedic = the official dense reference of the same shape (no pruning; keys read as 8 + 4 bits, both passes on every head, as the official harness does)',
  ];
  out.push(`${'trace'.padEnd(52)}${'KB'.padStart(5)}${'cycles'.padStart(11)}${'GOP/s'.padStart(8)}${'vs 196'.padStart(8)}${'stall'.padStart(10)}`);
  for (const r of rows) out.push(`${r.trace.padEnd(52)}${String(r.kb).padStart(5)}${String(Math.round(r.cycles)).padStart(11)}${r.gops.toFixed(0).padStart(8)}${(r.speedupVs196.toFixed(2) + '×').padStart(8)}${String(r.overheadCycles).padStart(10)}`);
  out.push(...SRAM_WHY);
  return out.join('\n');
}

export const figure: PaperFigure = {
  name: 'sram',
  describe: 'Fig. 19b (paper bars withheld): key/value SRAM size (196, 392, 784 KB) on the official pruned GPT-2 trace and its dense reference',
  configs: (hw) => [PER8, PER8_DENSE].flatMap((f) => SRAM_KB.map((kb) => sramConfig(f, kb, hw))),
  fixes: { keySramKB: `its x axis (${SRAM_KB.join(', ')} KB)`, valueSramKB: `its x axis (${SRAM_KB.join(', ')} KB, equal to the key SRAM)` },
  run(opts: FigureOptions) {
    const model = modelOf(opts.fidelity);
    const user = opts.hw ?? {};
    const rows = sram(model, user);
    const json = envelope('sram', model, user, {
      workload: { traces: [PER8, PER8_DENSE].map((f) => path.basename(f)), sramKB: SRAM_KB },
      paper: 'withheld',
      rows,
      why: SRAM_WHY,
    });
    return { rows: json, text: print(rows, model, user) };
  },
};
