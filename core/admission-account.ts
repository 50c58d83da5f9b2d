/**
 * The cycle model's admission account in words (sim/cycle/scheduler.ts keeps it, sim/cycle/sim.ts
 * writes it into a result's `extra`). The simulator has no latency bounds; what it has is its own
 * timeline, and the account partitions it: the admissions (a cycle each after the first), the
 * waits before them by what refused them, and the drain after the last one add up to the latency.
 * The window's and key buffer's waits are split again by what the heads whose decisions ended them
 * were waiting for: their key streams (DRAM) or Q·K/softmax. A stage busy nearly all the run sets
 * the latency whatever the account says (relieving anything else gains at most its idle share), so
 * the account is read beside the busiest stage.
 */

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

export const ACCOUNT_KEYS: readonly string[] = [...ACCOUNT, ...FULL_ON].map(([k]) => k);

const cycles = (v: number) => Math.round(v).toLocaleString('en-US');

/** The account's total (the latency in cycles). */
function total(a: Record<string, number>): number {
  return ACCOUNT.reduce((s, [k]) => s + (a[k] ?? 0), 0);
}

const pct = (v: number, of: number) => `${of > 0 ? Math.round((100 * v) / of) : 0}%`;

/** The entries of `list` above 0, largest first (a tie in the list's order). */
function ranked<T extends readonly [string, string]>(list: readonly T[], a: Record<string, number>): T[] {
  return list.filter(([k]) => a[k] > 0).sort((x, y) => a[y[0]] - a[x[0]]);
}

/** What the window's and key buffer's waits waited for, as "heads on Q·K/softmax 993,820, on their key streams (DRAM) 248,135". */
function fullOn(a: Record<string, number>): string | undefined {
  const parts = ranked(FULL_ON, a).map(([k, n]) => `on ${n} ${cycles(a[k])}`);
  return parts.length ? `heads ${parts.join(', ')}` : undefined;
}

/**
 * `simulate --fidelity cycle`'s line: "where the cycles went (admission account, adds up to the
 * latency): waiting for the key buffer 968,393 (77%) · the heads-in-flight window 273,562 (22%) ·
 * admissions, a cycle each 12,287 (1%) · the drain after the last admission 2,093 (0%); the window
 * and key buffer waited for heads on Q·K/softmax 993,820, on their key streams (DRAM) 248,135".
 */
export function accountText(a: Record<string, number>): string {
  const t = total(a);
  const shown = ranked(ACCOUNT, a).map(([k, n]) => `${k.startsWith('wait_') ? 'waiting for ' : ''}${n} ${cycles(a[k])} (${pct(a[k], t)})`);
  const on = fullOn(a);
  return `where the cycles went (admission account, adds up to the latency): ${shown.join(' · ')}${on ? `; the window and key buffer waited for ${on}` : ''}`;
}

/** The account's largest entry in words: "admission waited most for the key buffer (968,393 of 1,256,335 cycles, 77%; heads on Q·K/softmax 993,820, …)". */
export function accountBinding(a: Record<string, number>): string | undefined {
  const top = ranked(ACCOUNT, a)[0];
  if (!top) return undefined;
  const [k, n] = top;
  const t = total(a);
  const on = k === 'wait_key_buffer_cycles' || k === 'wait_window_cycles' ? fullOn(a) : undefined;
  const lead = k.startsWith('wait_') ? `admission waited most for ${n}` : `most of the latency is ${n}`;
  return `${lead} (${cycles(a[k])} of ${cycles(t)} cycles, ${pct(a[k], t)}${on ? `; ${on}` : ''})`;
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
