/**
 * A run's points after the search: streamed to the outputs as they come when the search's rows
 * are final, else kept and added to the sink, batch by batch, after refining and re-scoring; a
 * points body the disk refused stops the run with no output.
 */
import { fidelityPlan } from '../../sim/fidelities.ts';
import { BASELINE_METRICS } from '../../sim/metrics.ts';
import { InputError, RunFileError } from '../errors.ts';
import type { EvalContext, EvaluatedPoint } from '../evaluate.ts';
import { RunSink } from '../sink.ts';
import type { ParsedSpace } from '../space.ts';
import type { SearchOutput } from './search.ts';
import { metricColumns } from './write.ts';

/**
 * Searches (`searchInto`: the search, refine and re-score steps) into a sink held in `held` (the caller discards it if a later
 * step fails). Rows are final after the search unless a later step refines or re-scores them: then
 * they are streamed to the outputs as they come and never held (a 10⁷-point grid runs in bounded
 * memory); else they are kept and go to the sink after the last step, and are returned (`rows`:
 * every row of a run with accuracy, none of a streamed one).
 */
export async function collectRows(
  { parsed, ctx, dir }: { parsed: ParsedSpace; ctx: EvalContext; dir: string },
  held: { sink?: RunSink },
  searchInto: (rows: EvaluatedPoint[], onBatch: (b: EvaluatedPoint[]) => void) => Promise<{ found: SearchOutput; lateError?: unknown }>,
): Promise<{ found: SearchOutput; error: unknown; sink: RunSink; metrics: string[]; rows: readonly EvaluatedPoint[] }> {
  const columns = streamedColumns(ctx);
  const parameters = parsed.domains.map((d) => d.key);
  const sinkOf = (metrics: string[]) => new RunSink({ dir, parameters, metrics, objectives: parsed.objectives });
  const streamed = columns ? (held.sink = sinkOf(columns)) : undefined;
  const rows: EvaluatedPoint[] = [];
  const { found, lateError } = await searchInto(rows, streamed ? (b) => streamed.add(b) : (b) => rows.push(...b));
  const error = found.error ?? lateError;
  // the journal or the points body could not be written (a full disk): no output, none replaced
  if (error instanceof RunFileError) throw stoppedUnwritten(error, dir);
  const metrics = columns ?? metricColumns(rows);
  if (streamed) return { found, error, sink: streamed, metrics, rows };
  // refined rows go to the sink now, batch by batch (the hypervolume trajectory's batches)
  const sink = (held.sink = sinkOf(metrics));
  try {
    addBatches(sink, rows, found.batchEnds);
  } catch (e) {
    throw e instanceof RunFileError ? stoppedUnwritten(e, dir) : e;
  }
  return { found, error, sink, metrics, rows };
}

/**
 * A run whose journal or points body could not be written (a full disk) stops there and writes
 * no output: points.csv, pareto.csv and report.html from the points before the failure would pass
 * for the sweep's (its bound notes drawn from a part of the space), and the disk that refused the
 * body would most likely refuse points.csv, a larger copy of it, too. The folder keeps an earlier
 * run's outputs, whole, and the journal, which the same command continues from (exit 2).
 */
export function stoppedUnwritten(e: RunFileError, dir: string): InputError {
  // one line each (the CLI shortens a line past 2,000 characters): what failed, what is kept and how to go on, what was not written
  return new InputError(`${e.head}\n${e.safe}\nthe run stopped there and wrote no output: the points.csv, pareto.csv, run.json and report.html in ${dir}, if any, are an earlier run's`);
}

/** Adds the rows to the sink in the search's batches (`batchEnds`: the row count after each batch). */
function addBatches(sink: RunSink, rows: EvaluatedPoint[], batchEnds: number[]): void {
  let from = 0;
  for (const end of batchEnds) {
    sink.add(rows.slice(from, end));
    from = end;
  }
}

/**
 * The metric columns of a run whose rows are final when the search returns them (then they are
 * streamed): the hardware metrics, and the baseline's. Undefined when a later step changes the
 * rows or adds columns (accuracy, re-scoring): those runs are small and keep their rows.
 */
function streamedColumns(ctx: EvalContext): string[] | undefined {
  if (ctx.accuracy || fidelityPlan(ctx.fidelity).rescore) return undefined;
  return [...ctx.metrics, ...(ctx.baseline ? BASELINE_METRICS : [])];
}
