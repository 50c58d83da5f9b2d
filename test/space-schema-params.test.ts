/**
 * The editor schema (space.schema.json) types the `parameters` block per knob: a property per
 * parameter key the space accepts and no other, each value of its knob's type, bounds and choices,
 * so an editor flags `hw.topkParallelism: [true, false]`, `algo.tokenPolicy: [cascadee]` and a
 * misspelt `hw.topkParalelism` as `run` does.
 *
 * No JSON Schema validator is installed, so `check` below evaluates the draft-7 keywords this schema
 * uses and THROWS on any other keyword (a keyword it does not know can never pass silently). Its
 * verdicts are compared with the space's own checks (sim/schema.ts fields, parseSpace), not with
 * the generator.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { fieldSchema, parameterKeys, parseSpace, spaceJsonSchema } from '../dse/space.ts';
import { AlgoSchema, HardwareSchema, WorkloadSchema } from '../sim/schema.ts';

type S = Record<string, unknown>;
const schema = spaceJsonSchema() as { properties: { parameters: S & { properties: Record<string, S> } }; definitions: Record<string, S> };
const params = schema.properties.parameters;

const IGNORED = new Set(['description', 'default', 'title']);
const typeOk = (t: string, v: unknown): boolean =>
  t === 'integer' ? Number.isInteger(v) : t === 'array' ? Array.isArray(v) : t === 'object' ? typeof v === 'object' && v !== null && !Array.isArray(v) : t === 'null' ? v === null : typeof v === t;

/** Whether `v` is valid against `s`: the keywords of space.schema.json's parameters block, any other one throws. */
function check(s: S, v: unknown): boolean {
  return Object.entries(s).every(([k, x]) => {
    if (IGNORED.has(k)) return true;
    const arr = v as unknown[];
    const obj = v as S;
    switch (k) {
      case '$ref': return check(schema.definitions[String(x).replace('#/definitions/', '')], v);
      case 'type': return (Array.isArray(x) ? x : [x]).some((t) => typeOk(t, v));
      case 'enum': return (x as unknown[]).includes(v);
      case 'const': return x === v;
      case 'anyOf': return (x as S[]).some((b) => check(b, v));
      case 'minimum': return typeof v !== 'number' || v >= (x as number);
      case 'maximum': return typeof v !== 'number' || v <= (x as number);
      case 'exclusiveMinimum': return typeof v !== 'number' || v > (x as number);
      case 'minLength': return typeof v !== 'string' || v.length >= (x as number);
      case 'minItems': return !Array.isArray(v) || v.length >= (x as number);
      case 'maxItems': return !Array.isArray(v) || v.length <= (x as number);
      case 'uniqueItems': return !Array.isArray(v) || new Set(arr.map((e) => JSON.stringify(e))).size === arr.length;
      case 'items': return !Array.isArray(v) || (Array.isArray(x) ? x.every((b, i) => i >= arr.length || check(b, arr[i])) : arr.every((e) => check(x as S, e)));
      case 'additionalItems': return !Array.isArray(v) || x !== false || arr.length <= (s.items as unknown[]).length;
      case 'required': return !typeOk('object', v) || (x as string[]).every((p) => Object.hasOwn(obj, p));
      case 'properties': return !typeOk('object', v) || Object.entries(x as Record<string, S>).every(([p, b]) => !Object.hasOwn(obj, p) || check(b, obj[p]));
      case 'additionalProperties': return !typeOk('object', v) || x !== false || Object.keys(obj).every((p) => Object.hasOwn(s.properties as S, p));
      default: throw new Error(`the test's checker does not know the keyword "${k}"`);
    }
  });
}

const def = (key: string) => schema.definitions[key];
/** The knob's field as the space checks a value: a YAML boolean kept as "true"/"false" (dse/space.ts Scalar). */
const spaceTakes = (key: string, v: unknown) => fieldSchema(key)!.safeParse(typeof v === 'boolean' ? String(v) : v).success;

test('the parameters block has a property for each parameter key the space accepts, and no other', () => {
  const keys = [...Object.keys(HardwareSchema.shape).map((k) => `hw.${k}`), ...Object.keys(AlgoSchema.shape).map((k) => `algo.${k}`), ...Object.keys(WorkloadSchema.shape).map((k) => `workload.${k}`)];
  assert.deepEqual(Object.keys(params.properties).sort(), [...keys].sort());
  assert.deepEqual(Object.keys(params.properties).sort(), parameterKeys().sort());
  assert.equal(params.additionalProperties, false);
  assert.equal(keys.length, 18 + 19 + 7, 'sim/schema.ts: 18 hardware, 19 algo and 7 workload fields');
  for (const k of keys) assert.ok(fieldSchema(k), k);
});

test('a knob value is typed as its field in sim/schema.ts: integer/number with its bounds, enum, the YAML switch words', () => {
  assert.deepEqual(def('hw.topkParallelism'), { type: 'integer', minimum: 1, maximum: 1024 });
  assert.deepEqual(def('algo.tokenKeep'), { type: 'number', exclusiveMinimum: 0, maximum: 1 });
  assert.deepEqual(def('algo.tokenPolicy'), { type: 'string', enum: ['cascade', 'llm'] });
  assert.deepEqual(def('hw.dramRefresh'), { anyOf: [{ type: 'boolean' }, { enum: ['true', 'false'] }] });
  assert.deepEqual(def('workload.trace'), { anyOf: [{ type: 'string', minLength: 1 }, { enum: [true, false] }] }, 'a YAML true is kept as the string "true", a path');
  // a range is offered for the numeric knobs only
  const forms = (k: string) => (params.properties[k].anyOf as S[]).length;
  assert.equal(forms('hw.clockGHz'), 4);
  assert.equal(forms('algo.valueBits'), 4);
  assert.equal(forms('hw.topkModel'), 3);
  assert.equal(forms('workload.benchmark'), 3);
  for (const [k, f] of Object.entries(HardwareSchema.shape)) assert.equal(params.properties[`hw.${k}`].description, f.description, `hw.${k}`);
  for (const [k, f] of Object.entries(AlgoSchema.shape)) assert.equal(params.properties[`algo.${k}`].description, f.description, `algo.${k}`);
});

// values of every kind a knob may take or refuse: booleans, the switch words, numbers at and past the bounds, names and misspellings
const PROBES: unknown[] = [true, false, 'true', 'false', -1, 0, 0.05, 0.5, 1, 1.5, 2, 4, 8, 12, 16, 32, 33, 64, 65, 256, 257, 1024, 1025, 4096, 4097, 16384, 16385, 65536, 65537, '', 'x', 'cascade', 'cascadee', 'llm', 'mean', 'paper', 'official-rtl', 'qk', 'RoBaCoRaCh', 'gpt2-small', 'generation', 'e2e', 'bert-base-cola', 'traces/a.csv'];

test("each knob's value schema accepts exactly the probe values its field in sim/schema.ts takes", () => {
  let accepted = 0;
  for (const key of parameterKeys()) {
    for (const v of PROBES) {
      assert.equal(check(def(key), v), spaceTakes(key, v), `${key}: ${JSON.stringify(v)}`);
      if (spaceTakes(key, v)) accepted++;
    }
  }
  assert.ok(accepted > 100 && accepted < parameterKeys().length * PROBES.length / 2, `${accepted} accepted pairs: both verdicts occur`);
});

const spaceFiles = readdirSync('spaces').filter((f) => f.endsWith('.yaml')).map((f) => `spaces/${f}`);

test('the parameters block of every shipped space is valid against the schema (and the space parses)', () => {
  assert.ok(spaceFiles.length >= 6);
  for (const f of spaceFiles) {
    const text = readFileSync(f, 'utf8');
    assert.ok(parseSpace(text, f).domains.length > 0, f);
    const p = (parse(text) as { parameters: S }).parameters;
    assert.ok(check(params, p), f);
  }
});

test('the three bad examples are refused by the schema as by parseSpace, and their corrections pass both', () => {
  // the accuracy block: algo.tokenPolicy applies to a language model's token selection only
  const base = 'name: t\nobjectives:\n  - metric: latency_s\naccuracy: { model: sotu-gpt }\nparameters:\n  PARAM\n';
  const cases: [string, boolean][] = [
    ['hw.topkParallelism: [true, false]', false],
    ['algo.tokenPolicy: [cascadee]', false],
    ['hw.topkParalelism: [8, 16]', false],
    ['hw.topkParallelism: [8, 16]', true],
    ['algo.tokenPolicy: [cascade]', true],
    ['hw.topkParallelism: { range: [8, 32], step: 8 }', true],
    ['hw.topkParallelism: { range: [0, 32], step: 8 }', false],
    ['hw.topkModel: { range: [1, 2], step: 1 }', false],
    ['hw.dramRefresh: { values: [true, false] }', true],
    ['hw.topkParallelism: []', false],
  ];
  for (const [line, ok] of cases) {
    const text = base.replace('PARAM', line);
    assert.equal(check(params, (parse(text) as { parameters: S }).parameters), ok, `schema: ${line}`);
    assert.equal((() => { try { return parseSpace(text, 'x.yaml').domains.length > 0; } catch { return false; } })(), ok, `parseSpace: ${line}`);
  }
});

/** A declared chart's block as the schema types it: the one-chart form and the list's items. */
const chartForms = (): S[] => {
  const report = (schema as unknown as { properties: { report: { anyOf: S[] } } }).properties.report;
  return report.anyOf.map((b) => (b.type === 'array' ? (b.items as S) : b));
};

test("a declared chart's normalize and where are typed per knob: a property per parameter key, no other, each value its knob's", () => {
  const forms = chartForms();
  assert.equal(forms.length, 2, 'report: one chart or a list of charts');
  for (const form of forms) {
    for (const field of ['normalize', 'where']) {
      const s = (form.properties as Record<string, S>)[field];
      assert.deepEqual(Object.keys(s.properties as S).sort(), parameterKeys().sort(), field);
      assert.equal(s.additionalProperties, false, field);
      for (const key of parameterKeys()) assert.deepEqual((s.properties as Record<string, S>)[key], { $ref: `#/definitions/${key}` }, `${field}.${key}`);
      assert.match(String(s.description), field === 'where' ? /^draw only the points/ : /^divide y by its value/);
    }
  }
});

test("a chart's where/normalize: a misspelt knob or a value its knob cannot take is refused by the schema as by parseSpace; the shipped spaces' charts pass", () => {
  // the accuracy block: algo.tokenPolicy applies to a language model's token selection only
  const base = 'name: t\nobjectives:\n  - metric: latency_s\naccuracy: { model: sotu-gpt }\nparameters:\n  hw.dramChannels: [8, 16]\n  algo.tokenPolicy: [cascade, llm]\n  hw.keySramKB: [98, 196]\nreport:\n  - { x: hw.keySramKB, y: latency_s, PIN }\n';
  const cases: [string, boolean][] = [
    ['where: { hw.dramChannels: 16 }', true],
    ['where: { hw.dramChanels: 16 }', false],
    ['where: { algo.tokenPolicy: cascadee }', false],
    ['where: { algo.tokenPolicy: llm }', true],
    ['normalize: { hw.dramChannels: true }', false],
    ['normalize: { hw.dramChannels: 8 }', true],
    ['normalize: { hw.dramChannel: 8 }', false],
  ];
  const form = chartForms()[0];
  for (const [pin, ok] of cases) {
    const text = base.replace('PIN', pin);
    const chart = (parse(text) as { report: S[] }).report[0];
    assert.equal(check(form, chart), ok, `schema: ${pin}`);
    assert.equal((() => { try { return parseSpace(text, 'x.yaml').domains.length > 0; } catch { return false; } })(), ok, `parseSpace: ${pin}`);
  }
  let charts = 0;
  for (const f of spaceFiles) {
    for (const chart of ((parse(readFileSync(f, 'utf8')) as { report?: S[] }).report ?? [])) {
      assert.ok(check(form, chart), `${f}: ${JSON.stringify(chart)}`);
      charts += chart.where || chart.normalize ? 1 : 0;
    }
  }
  assert.ok(charts >= 4, `${charts} shipped charts hold parameters`);
});
