/**
 * The `parameters` block of a space: each parameter's spec (a list, `{values}`, `{range, step?}` or a
 * single value) checked against its field's schema and turned into the domain the drivers sample.
 * Problems go to the caller's issue list, with the file's paths (dse/space.ts turns them into
 * file:line:col messages).
 */
import * as z from '../core/zod.ts';
import { DRIVER_NAMES, driverInfo } from './drivers/index.ts';
import type { ParamDomain, ParamValue } from './driver.ts';
import { fmtCount, type Issue } from './space-checks.ts';
import { didYouMean } from '../core/suggest.ts';
import { fieldSchema, parameterKeys, valueMessage, type ZodIssue } from './params.ts';
import { valueAt } from './space-issues.ts';
import type { ParamSpecSchema, Space } from './space.ts';

/** Zod issues of a value as the space's messages (dse/space.ts: with "did you mean" among the keys known at the path). */
export type DescribeIssues = (issues: ZodIssue[], prefix: (string | number)[], raw?: unknown) => Issue[];

/** Numbers of a range with a step, without float drift (0.1 + 0.2 → 0.3). */
export function expandRange(lo: number, hi: number, step: number): number[] {
  const n = Math.floor((hi - lo) / step + 1e-9);
  const out: number[] = [];
  for (let i = 0; i <= n; i++) out.push(Number((lo + i * step).toPrecision(12)));
  return out;
}

/** The spec of one parameter in the space file: a list, `{values}`, `{range, step?}` or a single value. */
type ParamSpec = z.infer<typeof ParamSpecSchema>;
type ListSpec = Extract<ParamSpec, unknown[] | { values: unknown }>;
type RangeSpec = Extract<ParamSpec, { range: unknown }>;

/** One parameter under check: its key, its field's schema, its path in the file, and where problems go. */
interface ParamCheck {
  key: string;
  describe: DescribeIssues;
  field: z.ZodType;
  at: (string | number)[];
  issues: Issue[];
  /** The file as parsed (before the schema kept YAML booleans as "true"/"false"), to name a bad value as written. */
  raw: unknown;
}

/** Checks a value against the parameter's field (problems at `path`); true when valid. */
function checkValue(p: ParamCheck, v: ParamValue, path: (string | number)[]): boolean {
  const res = p.field.safeParse(v);
  const written = valueAt(p.raw, path);
  if (!res.success) p.issues.push(...p.describe(res.error.issues, path, written === undefined ? v : written));
  return res.success;
}

/** A space without parameters (one the schema refused is not said to be empty too). */
export const EMPTY_SPACE = 'the space is empty: give at least one parameter to sweep (use `spatten-dse simulate` for a single design point)';

/**
 * Parameters: canonical keys, values valid for their field, non-empty domains (problems go to
 * `issues`). `driver`: the space's, or undefined when the file's has a problem (a range without a
 * step is then not judged by a driver the file does not name).
 */
export function parseParameters(space: Space, raw: unknown, issues: Issue[], maxPoints: number, describe: DescribeIssues, driver: Space['search']['driver'] | undefined): ParamDomain[] {
  const domains: ParamDomain[] = [];
  for (const key of Object.keys(space.parameters)) {
    const domain = parseParameter(space, raw, key, issues, maxPoints, describe, driver);
    if (domain) domains.push(domain);
  }
  return domains;
}

/** The domain of one parameter of the space; undefined when it has a problem (in `issues`). */
function parseParameter(space: Space, raw: unknown, key: string, issues: Issue[], maxPoints: number, describe: DescribeIssues, driver: Space['search']['driver'] | undefined): ParamDomain | undefined {
  const spec = space.parameters[key];
  const field = fieldSchema(key);
  const at = ['parameters', key];
  if (!field) {
    issues.push({ path: at, message: `unknown parameter "${key}"${didYouMean(key, parameterKeys()) || ` (known: ${parameterKeys().join(', ')})`}`, atKey: true });
    return undefined;
  }
  const p: ParamCheck = { key, describe, field, at, issues, raw };
  if (Array.isArray(spec) || (typeof spec === 'object' && 'values' in spec)) return listDomain(p, spec);
  if (typeof spec === 'object' && 'range' in spec) return rangeDomain(p, spec, driver, maxPoints);
  return checkValue(p, spec as ParamValue, at) ? { key, kind: 'choice', values: [spec as ParamValue] } : undefined;
}

/** A list of values (`[…]` or `{values: […]}`): a choice of its values, each valid for the field and given once. */
function listDomain(p: ParamCheck, spec: ListSpec): ParamDomain | undefined {
  const values = Array.isArray(spec) ? spec : spec.values;
  const base = Array.isArray(spec) ? p.at : [...p.at, 'values'];
  if (values.length === 0) {
    p.issues.push({ path: base, message: 'empty list: give at least one value' });
    return undefined;
  }
  let ok = true;
  values.forEach((v, i) => (ok = checkValue(p, v, [...base, i]) && ok));
  return ok && distinctValues(p, values, base) ? { key: p.key, kind: 'choice', values } : undefined;
}

/**
 * A value given twice in a list (equal once parsed: 0.5 and 0.50, true and "true") would be one
 * grid point where the user counted two, so the list is refused at its second occurrence; true
 * when every value is distinct.
 */
function distinctValues(p: ParamCheck, values: ParamValue[], base: (string | number)[]): boolean {
  const seen = new Map<string, number>();
  let ok = true;
  values.forEach((v, i) => {
    const k = JSON.stringify(p.field.parse(v));
    const first = seen.get(k);
    if (first === undefined) return void seen.set(k, i);
    ok = false;
    p.issues.push({ path: [...base, i], message: `${k} is given twice (items [${first}] and [${i}] are equal once parsed): the sweep would evaluate it once, so the grid would have fewer points than the list has values; remove one` });
  });
  return ok;
}

/** A range `{range: [lo, hi]}`: with a step, a choice of its values; without, an interval (for the drivers that sample one). */
function rangeDomain(p: ParamCheck, spec: RangeSpec, driver: Space['search']['driver'] | undefined, maxPoints: number): ParamDomain | undefined {
  const [lo, hi] = spec.range;
  if (!(lo <= hi)) {
    p.issues.push({ path: [...p.at, 'range'], message: `empty range: low ${lo} > high ${hi}` });
    return undefined;
  }
  let ok = checkValue(p, lo, [...p.at, 'range', 0]);
  ok = checkValue(p, hi, [...p.at, 'range', 1]) && ok;
  if (!ok) return undefined;
  if (spec.step !== undefined) return steppedDomain(p, lo, hi, spec.step, maxPoints);
  if (driver !== undefined && !driverInfo(driver).intervals) {
    const others = DRIVER_NAMES.filter((d) => driverInfo(d).intervals).join('/');
    p.issues.push({ path: [...p.at, 'range'], message: `a range without a step cannot be enumerated by the ${driver} driver: add \`step\`, or use driver ${others}` });
    return undefined;
  }
  const integer = Number.isInteger(lo) && Number.isInteger(hi) && hi > lo && !p.field.safeParse(lo + 0.5).success;
  if (integer && !integersValid(p, lo, hi)) return undefined;
  return { key: p.key, kind: 'interval', low: lo, high: hi, integer };
}

/** Integer ranges this wide are not checked value by value (the fields with holes are bit widths: 0 | 2..32, 8 | 12). */
const MAX_CHECKED_INTEGERS = 100_000;

/**
 * Every integer of an integer range without a step is a value the drivers may sample: one its field
 * refuses (algo.valueBits' 1 in [0, 8], algo.fcWeightBits' 9 in [8, 12]) would be a failed point,
 * so the range is refused (problems go to `issues`); true when every integer is valid.
 */
function integersValid(p: ParamCheck, lo: number, hi: number): boolean {
  if (hi - lo > MAX_CHECKED_INTEGERS) return true;
  for (let v = lo + 1; v < hi; v++) {
    const res = p.field.safeParse(v);
    if (res.success) continue;
    const why = res.error.issues.map((i) => valueMessage(i, v)).join('; ');
    p.issues.push({ path: [...p.at, 'range'], message: `${v} lies in [${lo}, ${hi}] but is refused (${why}); a range without a step samples every integer in it: give a list of the values, or a range without ${v}` });
    return false;
  }
  return true;
}

/** The values of a range with a step: at most `maxPoints` of them, each valid for the field. */
function steppedDomain(p: ParamCheck, lo: number, hi: number, step: number, maxPoints: number): ParamDomain | undefined {
  const count = Math.floor((hi - lo) / step + 1e-9) + 1;
  if (count > maxPoints) {
    p.issues.push({ path: [...p.at, 'step'], message: `the range has ${Number.isFinite(count) ? fmtCount(count) : 'more'} values${Number.isFinite(count) ? '' : ` than a number can count (step ${step})`}, above the limit of ${fmtCount(maxPoints)}: use a larger step, or a range without a step with driver random/lhs/nsga2` });
    return undefined;
  }
  const values = expandRange(lo, hi, step);
  const invalid = values.find((v) => !p.field.safeParse(v).success);
  if (invalid !== undefined) {
    p.issues.push({ path: [...p.at, 'step'], message: `step ${step} gives the invalid value ${invalid}` });
    return undefined;
  }
  return { key: p.key, kind: 'choice', values };
}
