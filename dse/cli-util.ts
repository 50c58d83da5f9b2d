/**
 * Small helpers of the command line shared by the light entry (dse/cli.ts) and the command modules
 * (dse/commands/): option-value parsers and the terminal-safe message. No heavy imports: the
 * entry loads this module on every start.
 */
import { InputError } from './errors.ts';

/** A decimal number as typed (`12`, `-0.5`, `.5`, `1e3`): not hex, octal or binary (`Number('0x10')` is 16). */
const DECIMAL = /^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$/;

/** The number a decimal text gives (surrounding blanks allowed), else NaN. */
export function decimal(v: string): number {
  return DECIMAL.test(v.trim()) ? Number(v) : Number.NaN;
}

export function intArg(name: string, max = Number.MAX_SAFE_INTEGER) {
  return (v: string): number => {
    const n = decimal(v);
    if (!Number.isSafeInteger(n) || n < 1) throw new InputError(`${name}: expected a positive integer, got "${v}"`);
    if (n > max) throw new InputError(`${name}: ${v} is too large (at most ${max})`);
    return n;
  };
}

/** Any safe integer (a seed: a space's seeds may be 0 or negative). */
export function seedArg(name: string) {
  return (v: string): number => {
    const n = decimal(v);
    if (!Number.isSafeInteger(n)) throw new InputError(`${name}: expected an integer (at most ${Number.MAX_SAFE_INTEGER}), got "${v}"`);
    return n;
  };
}

export function numArg(name: string, max = 1e9) {
  return (v: string): number => {
    const n = decimal(v);
    if (!Number.isFinite(n) || n <= 0) throw new InputError(`${name}: expected a positive number, got "${v}"`);
    if (n > max) throw new InputError(`${name}: ${v} is too large (at most ${max})`);
    return n;
  };
}

/** Repeatable option: every value, in order. */
export function collect(v: string, prev: string[]): string[] {
  return [...prev, v];
}

/**
 * A message fit for a terminal: no control characters, each line at most ~400 characters. A
 * longer line keeps its start and its end (where an error says what to do), cut in the middle.
 */
export function printable(message: string): string {
  return message
    .split('\n')
    .map((l) => {
      const clean = l.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\ufffd]/g, '?');
      return clean.length > 400 ? `${clean.slice(0, 250)} … ${clean.slice(-150)}` : clean;
    })
    .join('\n');
}
