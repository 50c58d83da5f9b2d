/** The zod field schema behind a canonical parameter key, for the modules that ask about one field (dse/params.ts, core/bounds.ts). */
import type * as z from './zod.ts';
import { AlgoSchema, HardwareSchema, WorkloadSchema } from '../sim/schema.ts';

/** The field schema behind a canonical parameter key (hw.X, algo.X, workload.X), or undefined. */
export function fieldSchema(key: string): z.ZodType | undefined {
  const dot = key.indexOf('.');
  if (dot < 0) return undefined;
  const group = key.slice(0, dot);
  const field = key.slice(dot + 1);
  const shape: Record<string, z.ZodType> | undefined =
    group === 'hw' ? HardwareSchema.shape : group === 'algo' ? AlgoSchema.shape : group === 'workload' ? WorkloadSchema.shape : undefined;
  if (!shape || !Object.hasOwn(shape, field)) return undefined;
  return shape[field];
}
