/**
 * The analytical model's latency bounds in words. The latency is the largest bound
 * (sim/hw/finalize.ts LatencyLimits, in a result's `extra` as `limit_*_cycles`, the front's terms
 * as `front_*_cycles`), so the bounds say what a design waits for and which resource a change must
 * relieve, where the busiest stage does not: at the default sweep's knee prob·V is the busiest
 * stage, yet the heads in flight set the latency and doubling the prob·V array changes nothing.
 * `simulate` prints them all (`boundsText`); run.json's highlights keep them (`boundsOf`), and the
 * report and the terminal name the one that sets the latency (`bindingText`).
 *
 * The cycle model has no bounds; a result of it carries the admission account instead (where its
 * cycles went: core/admission-account.ts), and the same functions print it and name its largest entry.
 */
import { LIMIT_KEYS } from '../sim/hw/limit-keys.ts';
import { ACCOUNT_KEYS, accountBinding, accountName, accountText, cycles, ranked, type Stages } from './admission-account.ts';

/** The bounds, in the order a tie is named, with their words. */
const LIMITS = [
  [LIMIT_KEYS.engines, 'engines after the decision (top-k, prob·V)'],
  [LIMIT_KEYS.inOrder, 'heads in request order'],
  [LIMIT_KEYS.front, 'front'],
  [LIMIT_KEYS.window, 'heads-in-flight window'],
  [LIMIT_KEYS.valueBuffer, 'value buffer'],
  [LIMIT_KEYS.chain, 'serial path of the heads in flight'],
] as const;

/** The front's terms, overlapped by a smooth max (generation) or their maximum. */
const FRONT_TERMS = [
  [LIMIT_KEYS.frontDram, 'DRAM'],
  [LIMIT_KEYS.frontCompute, 'Q·K/softmax'],
  [LIMIT_KEYS.frontWindow, 'heads-in-flight window'],
] as const;

const KEYS: readonly string[] = [...LIMITS, ...FRONT_TERMS].map(([k]) => k);

/** A result's bounds are the analytical model's (else the cycle model's admission account). */
export const analytical = (b: Record<string, number>) => LIMITS.some(([k]) => typeof b[k] === 'number');

/**
 * The bound and front-term entries of a result's `extra` (the analytical model), or its admission
 * account's (the cycle model); undefined when it has neither.
 */
export function boundsOf(extra: Record<string, number> | undefined): Record<string, number> | undefined {
  if (!extra) return undefined;
  const keys = analytical(extra) ? KEYS : typeof extra.drain_cycles === 'number' ? ACCOUNT_KEYS : undefined;
  return keys && Object.fromEntries(keys.filter((k) => typeof extra[k] === 'number').map((k) => [k, extra[k]]));
}

/** The front's terms above 0, largest first, as "DRAM 951,935". */
function frontTerms(b: Record<string, number>): string[] {
  return ranked(FRONT_TERMS, b).map(([k, n]) => `${n} ${cycles(b[k])}`);
}

/**
 * `simulate`'s line: "bounds (cycles, the latency is the largest): front 1,226,618 (heads-in-flight
 * window 1,121,325, DRAM 951,935, Q·K/softmax 935,633) · heads in request order 1,115,469 · …",
 * largest first, bounds of 0 left out; undefined without bounds. `attention`: the result is
 * SpAtten-e2e's, whose bounds are its attention's (the FC/FFN layers' time comes on top). A cycle
 * result's line is its admission account, with the busiest of `stages` bounding any relief.
 */
export function boundsText(extra: Record<string, number> | undefined, attention = false, stages?: Stages): string | undefined {
  const b = boundsOf(extra);
  if (!b) return undefined;
  if (!analytical(b)) return (attention ? "the attention's " : '') + accountText(b, stages);
  const shown = ranked(LIMITS, b).map(([k, n]) => {
    const terms = k === LIMIT_KEYS.front ? frontTerms(b) : [];
    return `${n} ${cycles(b[k])}${terms.length ? ` (${terms.join(', ')})` : ''}`;
  });
  const lead = attention ? "the attention's bounds (cycles, its latency is the largest)" : 'bounds (cycles, the latency is the largest)';
  return `${lead}: ${shown.join(' · ')}`;
}

/**
 * The bound that sets the latency, in words: "latency set by the front (heads-in-flight window
 * 1,121,325, DRAM 951,935, Q·K/softmax 935,633 cycles, overlapped: 1,226,618)" or "latency set by
 * the engines after the decision (top-k, prob·V): 843,906 cycles"; undefined without bounds.
 */
export function bindingText(bounds: Record<string, number> | undefined, stages?: Stages): string | undefined {
  if (bounds && !analytical(bounds)) return accountBinding(bounds, stages);
  const top = bounds && ranked(LIMITS, bounds)[0];
  if (!bounds || !top) return undefined;
  const [k, name] = top;
  if (k === LIMIT_KEYS.front) {
    const terms = frontTerms(bounds);
    return `latency set by the front (${terms.join(', ')} cycles, overlapped: ${cycles(bounds[k])})`;
  }
  return `latency set by the ${name}: ${cycles(bounds[k])} cycles`;
}

/** The bound that sets the latency, named short for a table: "front (heads-in-flight window)", "heads in request order"; undefined without bounds. */
export function bindingName(bounds: Record<string, number> | undefined): string | undefined {
  if (bounds && !analytical(bounds)) return accountName(bounds);
  const top = bounds && ranked(LIMITS, bounds)[0];
  if (!bounds || !top) return undefined;
  if (top[0] !== LIMIT_KEYS.front) return top[1];
  const largest = ranked(FRONT_TERMS, bounds)[0];
  return largest ? `front (${largest[1]})` : 'front';
}
