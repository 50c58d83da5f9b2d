/**
 * The part of zod this project uses, as one namespace: `import * as z from '…/core/zod.ts'`, then
 * `z.object(…)`, `z.infer<…>` as with zod's own `z`. zod's `z` namespace keeps every schema type,
 * the JSON-Schema converters and the locales in every bundle that validates anything (V8 parses it
 * all at each start); these named re-exports let the bundler keep only what is used here.
 */
export { array, boolean, enum, literal, looseObject, number, object, preprocess, record, string, toJSONSchema, tuple, union, unknown, ZodDefault, ZodError, ZodObject, ZodOptional, ZodType } from 'zod';
export type { infer, output } from 'zod';
