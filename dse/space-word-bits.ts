/** The on-chip word (hw.wordBits) against the data a space's points put in it: one of the semantic checks of a parsed space (dse/space-checks.ts lists them). */
import { applyParams, basePoint } from './evaluate.ts';
import type { ParamDomain, Params } from './driver.ts';
import { wordBitsProblem } from './point-checks.ts';
import { checkTextFile } from './text-file.ts';
import type { Issue } from './space-checks.ts';
import type { Space } from './space.ts';

/** The fields that set a point's word-width need (`wordBitsNeed`) and the word width itself. */
const WORD_KEYS = ['hw.wordBits', 'algo.msbBits', 'algo.lsbBits', 'algo.valueBits', 'algo.fcWeightBits', 'workload.scope', 'workload.benchmark'];
/** Combinations of those fields' values checked up front; a larger product is left to the points (each fails with the reason). */
const MAX_WORD_COMBOS = 100_000;

/**
 * hw.wordBits against the data the space's points put in a word (point-checks.ts
 * `wordBitsNeed`; a trace's rows carry its widths), over the combinations of the fields that set
 * it (an interval by its two ends: the need grows with each width, the room with the word). No
 * point fits: an issue (exit 2), at the swept or written word width, else at the field that
 * widens the data. Some do not: a note, and those points fail with the reason. A trace is found
 * as the run finds it (`file`: the space file); one that cannot be found or read is left to the
 * run, which names its error (dse/run.ts prepareRun).
 */
export function wordBitsIssues(space: Pick<Space, 'hardware' | 'algo' | 'workload'>, domains: ParamDomain[], file?: string): { issue?: Issue; note?: { path: (string | number)[]; text: string } } {
  const swept = domains.filter((d) => WORD_KEYS.includes(d.key));
  const values = swept.map((d) => (d.kind === 'choice' ? d.values : [d.low, d.high]));
  const combos = values.reduce((n, v) => n * v.length, 1);
  if (combos > MAX_WORD_COMBOS) return {};
  let base = space.workload.trace ? undefined : basePoint(space);
  if (!base) {
    try {
      base = basePoint(space, file);
      // a binary file or a device (/dev/zero) is not read whole here: dse/run.ts refuses it
      checkTextFile(base.workload.trace!, 'workload.trace');
      wordBitsProblem(base);
    } catch {
      return {};
    }
  }
  let bad = 0;
  let first: string | undefined;
  for (let i = 0; i < combos; i++) {
    const params: Params = {};
    let r = i;
    swept.forEach((d, j) => {
      params[d.key] = values[j][r % values[j].length];
      r = Math.floor(r / values[j].length);
    });
    const problem = wordBitsProblem(applyParams(base, params, space.algo));
    if (problem) {
      bad++;
      first ??= `${swept.length ? `at ${Object.entries(params).map(([k, v]) => `${k} ${v}`).join(', ')}: ` : ''}${problem}`;
    }
  }
  if (bad === 0) return {};
  const sweptKey = swept.find((d) => d.key === 'hw.wordBits') ?? swept.find((d) => d.key !== 'workload.benchmark') ?? swept[0];
  const path = sweptKey ? ['parameters', sweptKey.key] : Object.hasOwn(space.hardware, 'wordBits') ? ['hardware', 'wordBits'] : writtenWidth(space);
  if (bad === combos) return { issue: { path, atKey: true, message: `no point fits its on-chip word: ${first}` } };
  return { note: { path, text: `${bad} of the ${combos} combinations of ${swept.map((d) => d.key).join(', ')} do not fit the on-chip word (${first}): those points fail, recorded with the reason` } };
}

/** Where the space widens the data beyond the word it leaves at its default: the first width written in its algo or workload block. */
function writtenWidth(space: Pick<Space, 'algo' | 'workload'>): (string | number)[] {
  if (space.workload.trace !== undefined) return ['workload', 'trace'];
  for (const f of ['msbBits', 'lsbBits', 'valueBits', 'fcWeightBits'] as const) if (space.algo[f] !== undefined) return ['algo', f];
  if (space.workload.benchmark !== undefined) return ['workload', 'benchmark'];
  return space.workload.scope !== undefined ? ['workload', 'scope'] : ['hardware'];
}
