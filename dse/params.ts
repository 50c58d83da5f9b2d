/**
 * Canonical parameter keys (hw.X, algo.X, workload.X) and their field schemas, `--set key=value`
 * parsing, and metric constraints (`latency_s <= 1e-3`). Split from dse/space.ts (which
 * re-exports all of it) so that commands handling one design point (`simulate`) load neither the
 * YAML parser nor the sweep's schemas and drivers.
 */
import type * as z from '../core/zod.ts';
import { ciColumn } from '../core/metric-columns.ts';
import { fieldSchema } from '../core/field-schema.ts';
import { AlgoSchema, HardwareSchema, METRICS, WorkloadSchema } from '../sim/schema.ts';
import type { Params } from './driver.ts';
import { clipped, decimal, echoed } from './cli-util.ts';
import { InputError } from './errors.ts';
import { closest, didYouMean, shortFormOf } from '../core/suggest.ts';

/** One problem zod reports. */
export type ZodIssue = z.ZodError['issues'][number];

export interface Constraint {
  text: string;
  metric: string;
  op: '<=' | '<' | '>=' | '>' | '==';
  /** NaN while the constraint is relative to the dense model and not yet resolved (dse/dense-reference.ts). */
  bound: number;
  /** Written relative to the dense model (`accuracy >= dense - 0.01`, `perplexity <= dense * 1.03`): how the bound follows from its value. */
  relative?: { op: '+' | '-' | '*'; amount: number };
  /** A resolved relative constraint: the text as written and the dense model's value it was resolved with. */
  resolvedFrom?: { text: string; dense: number };
}

export { fieldSchema };

/** Every canonical parameter key. */
export function parameterKeys(): string[] {
  return [
    ...Object.keys(HardwareSchema.shape).map((k) => `hw.${k}`),
    ...Object.keys(AlgoSchema.shape).map((k) => `algo.${k}`),
    ...Object.keys(WorkloadSchema.shape).map((k) => `workload.${k}`),
  ];
}

const NUMBER = '([-+]?(?:\\d+\\.?\\d*|\\.\\d+)(?:[eE][-+]?\\d+)?)';
const CONSTRAINT_RE = new RegExp(`^\\s*([a-z_][a-z0-9_]*)\\s*(<=|>=|==|<|>)\\s*(?:${NUMBER}|dense(?:\\s*([-+*])\\s*${NUMBER})?)\\s*$`);

/**
 * `<metric> <op> <number>`, or relative to the dense model: `<metric> <op> dense`, `dense + N`,
 * `dense - N` (N ≥ 0) or `dense * F` (F > 0); its bound is NaN until a run resolves it.
 */
export function parseConstraint(text: string): Constraint | string {
  const m = CONSTRAINT_RE.exec(text);
  if (!m) return `cannot parse constraint "${text}": expected "<metric> <op> <number>", or a bound relative to the dense model "<metric> <op> dense [+|-|* <number>]", with op one of <= < >= > ==`;
  if (!(METRICS as readonly string[]).includes(m[1])) return `unknown metric "${m[1]}" in constraint${didYouMean(m[1], METRICS) || ` (metrics: ${METRICS.join(', ')})`}`;
  const op = m[2] as Constraint['op'];
  // a literal beyond the doubles (1e400) reads as ±Infinity: a bound no comparison can use
  const huge = [m[3], m[5]].find((x) => x !== undefined && !Number.isFinite(Number(x)));
  if (huge !== undefined) return `"${text}": ${huge} is beyond the largest number (±1.8e308); give a finite bound`;
  if (m[3] !== undefined) return { text, metric: m[1], op, bound: Number(m[3]) };
  const relative = { op: (m[4] ?? '+') as '+' | '-' | '*', amount: m[5] === undefined ? 0 : Number(m[5]) };
  if (relative.op === '*' && !(relative.amount > 0)) return `"${text}": the factor after "dense *" must be above 0`;
  if (relative.amount < 0) return `"${text}": write "dense ${relative.op === '-' ? '+' : '-'} ${-relative.amount}" (the number after "dense ${relative.op}" is not negative)`;
  return { text, metric: m[1], op, bound: Number.NaN, relative };
}

/**
 * Whether a constraint can hold within its metric's 95% CI (`<metric>_ci_low/high`, a subset's
 * accuracy): checked at the CI's end that favours it; a metric without a CI as `violation` says.
 */
export function couldHold(c: Constraint, metrics: Record<string, number>): boolean {
  const lo = metrics[ciColumn(c.metric, 'low')];
  const hi = metrics[ciColumn(c.metric, 'high')];
  const v = metrics[c.metric];
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return violation(c, v) === 0;
  return violation(c, Math.min(v, lo)) === 0 || violation(c, Math.max(v, hi)) === 0;
}

/** Amount by which a metric value violates a constraint, relative to |bound| (0 = satisfied; `==` compares at 6 significant digits). */
export function violation(c: Constraint, value: number): number {
  if (!Number.isFinite(value)) return Infinity;
  const scale = Math.abs(c.bound) > 0 ? Math.abs(c.bound) : 1;
  switch (c.op) {
    case '<=':
      return value <= c.bound ? 0 : (value - c.bound) / scale;
    case '<':
      return value < c.bound ? 0 : (value - c.bound) / scale + 1e-12;
    case '>=':
      return value >= c.bound ? 0 : (c.bound - value) / scale;
    case '>':
      return value > c.bound ? 0 : (c.bound - value) / scale + 1e-12;
    case '==':
      // at the 6 significant digits points.csv writes: a model's 18.70999712 mm² is "18.71" there
      return value === c.bound || value.toPrecision(6) === c.bound.toPrecision(6) ? 0 : Math.abs(value - c.bound) / scale;
  }
}

/** A point's total violation of `constraints` (0: feasible), from its metrics. */
export function totalViolation(constraints: readonly Constraint[], metrics: Record<string, number>): number {
  let viol = 0;
  for (const c of constraints) viol += violation(c, metrics[c.metric]);
  return viol;
}

/**
 * A number that is not finite, as YAML gives `.nan`, `.inf` or a literal beyond the doubles
 * (`1e400`): said so, since JSON shows it as null and zod as a number of the wrong type.
 */
export function nonFiniteMessage(v: number): string {
  return `expected a finite number, got ${v} (YAML's .nan or .inf, or a number beyond ±1.8e308)`;
}

/** A value as a message shows it (`echoed`: strings quoted, the rest as JSON, a long one cut). */
const show = echoed;

/** The kind of a value as a file or option gives it: number, string, boolean, null, list or mapping. */
function kindOf(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'list' : typeof v === 'object' ? 'mapping' : typeof v;
}

/** The values a failed check allows when it is a choice (an enum, literals or a union of them, a boolean); undefined otherwise. */
export function allowedValues(i: ZodIssue): unknown[] | undefined {
  if (i.code === 'invalid_value') return i.values;
  if (i.code === 'invalid_type' && i.expected === 'boolean') return [true, false];
  if (i.code !== 'invalid_union' || i.errors.length === 0) return undefined;
  const each = i.errors.map((b) => (b.length === 1 && b[0].path.length === 0 ? allowedValues(b[0]) : undefined));
  return each.every((v) => v !== undefined) ? each.flat() : undefined;
}

/** zod's type names as a space file's reader knows them. */
const TYPE_WORDS: Record<string, string> = { array: 'list', tuple: 'list', object: 'mapping', record: 'mapping', map: 'mapping', int: 'whole number' };
/** A zod type name (`object`, `record`, `tuple`) in the words of a space file (`mapping`, `list`). */
export const typeWord = (t: string) => TYPE_WORDS[t] ?? t;

/**
 * The message of a zod issue on the value `got` (undefined: the field is missing): for a choice, the value, the allowed values and a
 * "did you mean" (`"oficial-rtl" is not one of paper, official-rtl (did you mean "official-rtl"?)`);
 * for a value of the wrong type, the type it has and the value (`expected number, received
 * boolean (true)`); else zod's own message.
 */
export function valueMessage(i: ZodIssue, got: unknown): string {
  // (a number where a string, a list or a mapping is expected is that type error, finite or not)
  if (typeof got === 'number' && !Number.isFinite(got) && !(i.code === 'invalid_type' && i.expected !== 'number')) return nonFiniteMessage(got);
  const allowed = allowedValues(i)?.map(String);
  if (got === undefined && (allowed || i.code === 'invalid_type')) {
    const type = i.code === 'invalid_type' ? String(i.expected) : '';
    return `required field missing (${allowed ? `one of ${allowed.join(', ')}` : `a ${typeWord(type)}`})`;
  }
  if (!allowed && i.code === 'invalid_type' && got !== undefined) return `Invalid input: expected ${typeWord(String(i.expected))}, received ${kindOf(got)} (${show(got)})`;
  if (!allowed || got === undefined) return i.message;
  const near = typeof got === 'string' ? (closest(got, allowed) ?? shortFormOf(got, allowed)) : undefined;
  return `${show(got)} is not one of ${allowed.join(', ')}${near ? ` (did you mean "${near}"?)` : ''}`;
}

/**
 * Parse `--set key=value` pairs into canonical parameters (validated per field). A key given again
 * with another value is refused (which one was meant?); again with an equal value (0.5, 0.50) is
 * one setting.
 */
export function parseSets(sets: string[]): Params {
  const out: Params = {};
  const first = new Map<string, string>();
  for (const given of sets) {
    const s = clipped(given);
    const eq = given.indexOf('=');
    if (eq <= 0) throw new InputError(`--set ${s}: expected key=value, e.g. --set hw.dramChannels=32`);
    const key = given.slice(0, eq).trim();
    const raw = given.slice(eq + 1).trim();
    const fs = fieldSchema(key);
    if (!fs) throw new InputError(`--set ${s}: unknown parameter "${key}"${didYouMean(key, parameterKeys()) || ` (known: ${parameterKeys().join(', ')})`}`);
    // numbers are decimal: 0x10 stays text (a number field refuses it), 1e3 is 1000
    const value: number | string = Number.isFinite(decimal(raw)) ? decimal(raw) : raw;
    if (Math.abs(decimal(raw)) === Infinity) throw new InputError(`--set ${s}: ${key}: expected a finite number, got ${clipped(raw, 40)} (beyond ±1.8e308)`);
    const r = fs.safeParse(value);
    if (!r.success && raw !== '' && fs.safeParse(Number(raw)).success) throw new InputError(`--set ${s}: ${key}: expected a decimal number, got ${echoed(raw)}`);
    if (!r.success) throw new InputError(`--set ${s}: ${key}: ${r.error.issues.map((i) => valueMessage(i, value)).join('; ')}`);
    if (key in out && out[key] !== value) throw new InputError(`--set ${s}: ${key} is given twice with different values (also --set ${first.get(key)}); give it once`);
    if (!first.has(key)) first.set(key, s);
    out[key] = value;
  }
  return out;
}
