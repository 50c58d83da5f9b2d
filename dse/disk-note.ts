/**
 * A note before a run starts when its outputs may not fit on the disk of its folder: a 10⁶-point
 * grid writes ~370 MB (points.csv ~140 B and journal.jsonl ~230 B a point with 6 parameters, and
 * points.csv once more while it is assembled), a 10⁷-point one ~3.7 GB, and a run that meets a full disk stops with ENOSPC after all its
 * evaluations up to there (they stay in the journal). The estimate is from measured runs and on
 * the high side; nothing is refused.
 */
import { statfsSync } from 'node:fs';
import { fmtCount } from './space-checks.ts';

/**
 * Bytes of disk a point needs while the run writes: journal.jsonl, and points.csv twice (the final
 * file is assembled from the rows streamed to a temporary body, dse/sink.ts), for `params` parameters (a
 * continuous value is ~19 characters in each file): the analytical model's rows (measured: 6
 * listed parameters on a grid 339 B, 12 parameters under nsga2 665 B), or a record with a cycle
 * or accuracy outcome (cycle, 8 parameters: 1,122 B). The metric columns add ~30 B each across the
 * three copies (gop_per_j and gops_per_mm2 raised the constant term by 60 B).
 *
 * It holds however the host's load cuts the journal into lines: a step's constant material is on
 * one head line per journal and a batch line adds ~60 B besides its rows (dse/journal-batch.ts).
 * Measured with a line per point and with one line for the run (test/disk-note.test.ts forces
 * both): a 54-point cycle grid of 4 parameters 539 and 479 B a point (estimate 1,344 B; when each
 * line repeated the ~1.3 KB material, 1,730 B at a line per point), 300 points of 10 continuous
 * parameters drawn at random 1,105 and 1,045 B (estimate 1,120 B), a 4,096-point analytical grid
 * of 6 parameters 565 and 504 B (estimate 856 B).
 */
export function bytesPerPoint(params: number, bulky: boolean): number {
  return 2 * (60 + 22 * params) + (bulky ? 960 : 340) + 22 * params;
}

/** GB, MB, or below 1 MB kB (a 100 kB disk read '1 MB free' beside a need of '1 MB'). */
const fmtBytes = (b: number): string => (b >= 1e9 ? `${(b / 1e9).toFixed(1)} GB` : b >= 999_500 ? `${Math.round(b / 1e6)} MB` : `${Math.max(1, Math.round(b / 1e3))} kB`);

/** The note, or undefined when the outputs fit in 90% of the free space (or it cannot be read). */
export function diskNote(dir: string, points: number, params: number, bulky: boolean, free = freeBytes(dir)): string | undefined {
  if (!Number.isFinite(points) || points <= 0 || free === undefined) return undefined;
  const per = bytesPerPoint(params, bulky);
  const need = points * per;
  if (need <= 0.9 * free) return undefined;
  return (
    `this run needs about ${fmtBytes(need)} of disk (journal.jsonl, and points.csv twice while it is assembled: ~${per} B a point for ${fmtCount(points)} points) and ${dir} has ${fmtBytes(free)} free: ` +
    `it may stop with "no space left on the device"; what finished stays in the journal, and a rerun after freeing space continues it (or use --out on a larger disk)`
  );
}

function freeBytes(dir: string): number | undefined {
  try {
    const s = statfsSync(dir);
    return s.bavail * s.bsize;
  } catch {
    return undefined;
  }
}
