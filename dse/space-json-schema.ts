/**
 * The `parameters` block of the editor schema (`spatten-dse schema`, space.schema.json), per knob:
 * one property per parameter key the space accepts (dse/params.ts parameterKeys, fieldSchema: the
 * registry the space's checks use), none other, each with the forms dse/space-params.ts accepts —
 * one value, a list, `{values: […]}`, and for a numeric knob `{range: [lo, hi], step?}` — whose
 * values are of the knob's type with its bounds and choices (its field in sim/schema.ts), so an
 * editor flags `hw.topkParallelism: [true]`, `algo.tokenPolicy: [cascadee]` or a misspelt key.
 * Each knob's value schema sits once in `definitions` (a 30-name enum is not written four times).
 */
import * as z from '../core/zod.ts';
import { fieldSchema, parameterKeys } from './params.ts';

type Json = Record<string, unknown>;

/** The YAML booleans and their strings: the space keeps a YAML true/false as "true"/"false" (dse/space.ts Scalar). */
const SWITCH_WORDS = [true, false, 'true', 'false'] as const;

/** Where a knob's value schema sits in the schema. */
const valueRef = (key: string): string => `#/definitions/${key}`;

/** A field's JSON Schema as a value of a parameter: its type and constraints, without the default and the help (the property carries that). */
function fieldJson(field: z.ZodType): Json {
  const { $schema: _s, default: _d, description: _h, ...rest } = z.toJSONSchema(field, { target: 'draft-7', io: 'input', unrepresentable: 'any' }) as Json;
  return rest;
}

/** The value schema of a knob: its field's, and the YAML booleans (or their strings) the field takes once the space keeps them as "true"/"false". */
function knobValueSchema(field: z.ZodType): Json {
  const json = fieldJson(field);
  // a word of the type the field's own schema gives (a boolean of a switch, "true" of a string) is not listed again
  const words = SWITCH_WORDS.filter((w) => field.safeParse(String(w)).success && typeof w !== json.type);
  return words.length === 0 ? json : { anyOf: [json, { enum: words }] };
}

/** Whether every value the field's JSON Schema allows is a number (a range can then be given). */
function numeric(json: Json): boolean {
  if (Array.isArray(json.anyOf)) return json.anyOf.every((b) => numeric(b as Json));
  return json.type === 'number' || json.type === 'integer';
}

/** The forms of one parameter (dse/space.ts ParamSpecSchema, dse/space-params.ts): lists non-empty and without repeats, as the space refuses them. */
function knobForms(key: string, field: z.ZodType): Json {
  const value = { $ref: valueRef(key) };
  const list = { type: 'array', items: value, minItems: 1, uniqueItems: true };
  const forms: Json[] = [value, list, { type: 'object', properties: { values: list }, required: ['values'], additionalProperties: false }];
  if (numeric(fieldJson(field))) {
    const range = { type: 'array', items: [value, value], additionalItems: false, minItems: 2, maxItems: 2 };
    forms.push({ type: 'object', properties: { range, step: { type: 'number', exclusiveMinimum: 0 } }, required: ['range'], additionalProperties: false });
  }
  return field.description === undefined ? { anyOf: forms } : { description: field.description, anyOf: forms };
}

/**
 * The `parameters` block zod wrote (a record of any parameter spec) with a property per parameter
 * key and no other key; and the knobs' value schemas, for the schema's `definitions`.
 */
export function parametersJsonSchema(zodBlock: Json): { block: Json; definitions: Json } {
  const { propertyNames: _n, additionalProperties: _a, ...kept } = zodBlock;
  const properties: Json = {};
  const definitions: Json = {};
  for (const key of parameterKeys()) {
    const field = fieldSchema(key)!;
    properties[key] = knobForms(key, field);
    definitions[key] = knobValueSchema(field);
  }
  return { block: { ...kept, properties, additionalProperties: false }, definitions };
}

/**
 * A declared chart's `normalize` or `where` (parameter key → the value it is held at) as zod wrote
 * it (a record of any scalar), with a property per parameter key and no other key, each value of
 * its knob's type (`definitions`, as the parameters block's values): an editor flags
 * `where: { hw.dramChanels: 16 }` or `where: { algo.tokenPolicy: cascadee }`. Whether the key is
 * swept in this space and the value one of its swept values is `run`'s check (dse/space.ts).
 */
export function pinnedJsonSchema(zodRecord: Json): Json {
  const { propertyNames: _n, additionalProperties: _a, ...kept } = zodRecord;
  const properties = Object.fromEntries(parameterKeys().map((key) => [key, { $ref: valueRef(key) }]));
  return { ...kept, properties, additionalProperties: false };
}
