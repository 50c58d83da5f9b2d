/**
 * The cycle model's admission account in words (sim/cycle/scheduler.ts keeps it, sim/cycle/sim.ts
 * writes it into a result's `extra`). The simulator has no latency bounds; what it has is its own
 * timeline, and the account partitions it: the admissions (a cycle each after the first), the
 * waits before them by what refused them, and the drain after the last one add up to the latency.
 * The window's and key buffer's waits are split again by what the heads whose decisions ended them
 * were waiting for: their key streams (DRAM) or Q·K/softmax, and the drain at the last decision:
 * the last heads' passes, then the engines after them. A stage busy nearly all the run sets
 * the latency whatever the account says (relieving anything else gains at most its idle share), so
 * given the stages' busy cycles the words say that bound too.
 */

import type { StageCycles } from '../sim/hw/types.ts';

/** A result's busy cycles per stage (`overhead` is not a stage). */
export type Stages = Readonly<Partial<StageCycles>>;

/** The account's entries, which add up to the latency, in the order a tie is named, with their words. */
export const ACCOUNT = [
  ['wait_key_buffer_cycles', 'the key buffer'],
  ['wait_window_cycles', 'the heads-in-flight window'],
  ['wait_token_gate_cycles', 'the token top-k gate'],
  ['wait_value_buffer_cycles', 'the value buffer'],
  ['drain_cycles', 'the drain after the last admission'],
  ['admit_cycles', 'admissions, a cycle each'],
] as const;

/** The window's and key buffer's waits, by what the heads that ended them waited for. */
const FULL_ON = [
  ['wait_full_on_compute_cycles', 'Q·K/softmax'],
  ['wait_full_on_dram_cycles', 'their key streams (DRAM)'],
] as const;

/** The drain split at the last decision: the last heads' passes, then the engines after the decision (top-k, prob·V, the last V streams). */
const DRAIN = [
  ['drain_front_cycles', "the last heads' passes"],
  ['drain_engines_cycles', 'the engines after them'],
] as const;

export const ACCOUNT_KEYS: readonly string[] = [...ACCOUNT, ...FULL_ON, ...DRAIN].map(([k]) => k);

/** Cycles as a whole number with thousands separators (core/latency-bounds.ts too). */
export const cycles = (v: number) => Math.round(v).toLocaleString('en-US');

/** The account's total (the latency in cycles). */
function total(a: Record<string, number>): number {
  return ACCOUNT.reduce((s, [k]) => s + (a[k] ?? 0), 0);
}

const pct = (v: number, of: number) => `${of > 0 ? Math.round((100 * v) / of) : 0}%`;
/** A share to a tenth of a percent under 10%, else whole. */
const fine = (v: number, of: number) => ((100 * v) / of < 10 ? `${((100 * v) / of).toFixed(1)}%` : pct(v, of));

/** The entries of `list` whose value in `a` is above 0, largest first (a tie in the list's order; core/latency-bounds.ts too). */
export function ranked<T extends readonly [string, string]>(list: readonly T[], a: Record<string, number>): T[] {
  return list.filter(([k]) => a[k] > 0).sort((x, y) => a[y[0]] - a[x[0]]);
}

/** What the window's and key buffer's waits waited for, as "heads on Q·K/softmax 993,820, on their key streams (DRAM) 248,135". */
function fullOn(a: Record<string, number>): string | undefined {
  const parts = ranked(FULL_ON, a).map(([k, n]) => `on ${n} ${cycles(a[k])}`);
  return parts.length ? `heads ${parts.join(', ')}` : undefined;
}

/** ": the last heads' passes 185, the engines after them 63,075" for the drain (when the split is there), else ''. */
function drainSplit(a: Record<string, number>): string {
  return DRAIN.every(([k]) => typeof a[k] === 'number') ? `: ${DRAIN.map(([k, n]) => `${n} ${cycles(a[k])}`).join(', ')}` : '';
}

/**
 * `simulate --fidelity cycle`'s line: "where the cycles went (admission account, adds up to the
 * latency): waiting for the key buffer 968,393 (77%) · waiting for the heads-in-flight window
 * 273,562 (22%) · admissions, a cycle each 12,287 (1%) · the drain after the last admission 2,093
 * (0%: the last heads' passes 189, the engines after them 1,903); the window and key buffer waited
 * for heads on Q·K/softmax 993,820, on their key streams (DRAM) 248,135"; with the stages, "; relieving
 * anything but pv gains at most 15%" (pv is busy 85% of the cycles).
 */
export function accountText(a: Record<string, number>, stages?: Stages): string {
  const t = total(a);
  const shown = ranked(ACCOUNT, a).map(([k, n]) => `${k.startsWith('wait_') ? 'waiting for ' : ''}${n} ${cycles(a[k])} (${pct(a[k], t)}${k === 'drain_cycles' ? drainSplit(a) : ''})`);
  const on = fullOn(a);
  return `where the cycles went (admission account, adds up to the latency): ${shown.join(' · ')}${on ? `; the window and key buffer waited for ${on}` : ''}${ceiling(stages, t)}`;
}

/**
 * The busiest stage's bound on any other relief: it is busy B of the run's cycles, so relieving
 * anything else gains at most the rest (its own work stays): "; relieving anything but pv gains at
 * most 15%" (under 10% to a tenth: "at most 2.0%"); "; pv is busy every cycle: it sets the
 * latency"; '' without stages.
 */
function ceiling(stages: Stages | undefined, t: number): string {
  let top: [string, number] | undefined;
  for (const [k, v] of Object.entries(stages ?? {}) as [string, number][]) if (k !== 'overhead' && Number.isFinite(v) && (!top || v > top[1])) top = [k, v];
  if (!top || !(t > 0)) return '';
  const [stage, busy] = top;
  if (busy >= t) return `; ${stage} is busy every cycle: it sets the latency`;
  return `; relieving anything but ${stage} gains at most ${fine(t - busy, t)}`;
}

/**
 * The account's largest entry in words, with the busiest stage's bound on relieving it when the
 * stages are given: "admission waited most for the key buffer (968,393 of 1,256,335 cycles, 77%;
 * heads on Q·K/softmax 993,820, …); relieving anything but pv gains at most 15%".
 */
export function accountBinding(a: Record<string, number>, stages?: Stages): string | undefined {
  const top = ranked(ACCOUNT, a)[0];
  if (!top) return undefined;
  const [k, n] = top;
  const t = total(a);
  const on = k === 'wait_key_buffer_cycles' || k === 'wait_window_cycles' ? fullOn(a) : undefined;
  const lead = k.startsWith('wait_') ? `admission waited most for ${n}` : `most of the latency is ${n}`;
  return `${lead} (${cycles(a[k])} of ${cycles(t)} cycles, ${pct(a[k], t)}${on ? `; ${on}` : ''}${k === 'drain_cycles' ? drainSplit(a) : ''})${ceiling(stages, t)}`;
}

/** The account's largest entry, short for a table: "admission: key buffer (Q·K/softmax)", "drain after the last admission". */
export function accountName(a: Record<string, number>): string | undefined {
  const top = ranked(ACCOUNT, a)[0];
  if (!top) return undefined;
  const [k, n] = top;
  const name = n.replace(/^the /, '');
  if (!k.startsWith('wait_')) return name;
  const on = k === 'wait_key_buffer_cycles' || k === 'wait_window_cycles' ? ranked(FULL_ON, a)[0] : undefined;
  return `admission: ${name}${on ? ` (${on[1].replace('their ', '')})` : ''}`;
}
