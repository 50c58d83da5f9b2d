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
    if (!Number.isSafeInteger(n) || n < 1) throw new InputError(`${name}: expected a positive integer, got ${echoed(v)}`);
    if (n > max) throw new InputError(`${name}: ${v} is too large (at most ${max})`);
    return n;
  };
}

/** Any safe integer (a seed: a space's seeds may be 0 or negative). */
export function seedArg(name: string) {
  return (v: string): number => {
    const n = decimal(v);
    if (!Number.isSafeInteger(n)) throw new InputError(`${name}: expected an integer (at most ${Number.MAX_SAFE_INTEGER}), got ${echoed(v)}`);
    return n;
  };
}

export function numArg(name: string, max = 1e9) {
  return (v: string): number => {
    const n = decimal(v);
    if (!Number.isFinite(n) || n <= 0) throw new InputError(`${name}: expected a positive number, got ${echoed(v)}`);
    if (n > max) throw new InputError(`${name}: ${v} is too large (at most ${max})`);
    return n;
  };
}

/** Repeatable option: every value, in order. */
export function collect(v: string, prev: string[]): string[] {
  return [...prev, v];
}

/**
 * The longest line `printable` shows whole. The longest legitimate line measured is 394
 * characters with a 30-character folder path (test/bad-inputs.test.ts, an accuracy-block refusal);
 * the wordiest lines are about 370 characters of text plus up to three echoes of a path (`--out P:
 * P/journal.jsonl holds … (P/space.yaml)`; a failed atomic write names its target and temporary
 * file), so paths of 500 characters still fit. A file's or option's value is cut where it is echoed
 * (`echoed`); what is left past this is a dump: a 1 MB space file's value, a 128 KB argument.
 */
export const LINE_MAX = 2000;
const HEAD = 1500;

/**
 * A message fit for a terminal: no control characters, each line at most LINE_MAX characters. A
 * longer line keeps its start and its end (where an error says what to do), cut in the middle.
 */
export function printable(message: string): string {
  return message
    .split('\n')
    .map((l) => {
      const clean = l.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\ufffd]/g, '?');
      return clean.length > LINE_MAX ? `${clean.slice(0, HEAD)} … ${clean.slice(HEAD - LINE_MAX + 3)}` : clean;
    })
    .join('\n');
}

/**
 * A text of the user's with its invisible format characters written out (`\u200B`): a zero-width
 * space, a byte-order mark, a direction mark, so that `unknown key "na\u200Bme"` is not shown as the
 * "name" it looks like. (Control characters are `printable`'s: it makes them `?`.)
 */
export const visible = (s: string) => s.replace(/\p{Cf}/gu, (c) => `\\u${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`);

/** How long a value's rendering may be in a message (`echoed`). */
export const ECHO_MAX = 120;

/**
 * A value of the user's as a message shows it: strings quoted, the rest as JSON; a rendering longer
 * than ECHO_MAX is cut there and says what it was (`[0,1,2,… (a list of 100000 values)]`), so a
 * refusal of a huge value stays one readable line.
 */
export function echoed(v: unknown): string {
  // (JSON writes NaN and ±Infinity as null: a request's 1e400 would be echoed as "null")
  const text = typeof v === 'string' ? `"${visible(v)}"` : typeof v === 'number' ? String(v) : (JSON.stringify(v) ?? String(v));
  if (text.length <= ECHO_MAX) return text;
  const what = Array.isArray(v)
    ? `a list of ${v.length} value${v.length === 1 ? '' : 's'}`
    : typeof v === 'string'
      ? `${v.length} characters`
      : v !== null && typeof v === 'object'
        ? `a map of ${Object.keys(v).length} key${Object.keys(v).length === 1 ? '' : 's'}`
        : `${text.length} characters`;
  return `${text.slice(0, ECHO_MAX)}… (${what})`;
}

/**
 * An argument as the user typed it (`--set key=value`), cut past `max` characters (500: a trace's
 * path fits whole) and saying its length: a 100 KB list given to --set does not fill the message.
 */
export function clipped(text: string, max = 500): string {
  return text.length <= max ? text : `${text.slice(0, max)}… (${text.length} characters)`;
}
