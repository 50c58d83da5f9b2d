/**
 * Progress for long work, always on stderr:
 * - a bar on a TTY (cli-progress), plain lines otherwise (at most one every 2 s, plus the final
 *   count), nothing with mode 'none';
 * - `note(text)` prints a status line at once ("loading spam-bert…", "warming 2 workers…"), so a
 *   run is never silent while models load;
 * - the ETA is extrapolated from completed work only, and only once enough has completed
 *   (ETA_MIN_FRACTION of the total and ETA_MIN_SECONDS of wall time): before that it says so
 *   instead of printing a guess dominated by start-up (model loading, the first accuracy runs);
 * - the rate shown and the ETA come from the recent work (RateWindow: the last third of the
 *   elapsed time, at least ETA_MIN_SECONDS), not from everything since the start: a resumed run
 *   counts its journaled points as done within its first second, and a rate over the whole
 *   elapsed time promised the rest ~4x too early (cycle sweep, 86 of 300 journaled: "ETA 10.2 s"
 *   at 111 done, 37 s left).
 */
import cliProgress from 'cli-progress';
import { printable } from './cli-util.ts';

export type ProgressMode = 'auto' | 'bar' | 'lines' | 'none';

export interface Progress {
  update(done: number): void;
  /** A status line printed at once (above the bar on a TTY). */
  note(text: string): void;
  stop(): void;
}

/** Fraction of the total that must be done before an ETA is shown. */
export const ETA_MIN_FRACTION = 0.1;
/** Wall seconds that must have passed before an ETA is shown. */
export const ETA_MIN_SECONDS = 5;

export function fmtSeconds(s: number): string {
  if (!Number.isFinite(s)) return '?';
  if (s < 60) return `${s.toFixed(1)} s`;
  return `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
}

/** The ETA text for `done` of `total` after `elapsed` seconds: a time, or why there is none yet. */
export function etaText(done: number, total: number | undefined, elapsed: number, rate?: number): string {
  if (!total) return '';
  if (done >= total) return 'done';
  // (says which condition is still unmet: "after 10% done" at 67% done was read as a stuck ETA)
  if (done < ETA_MIN_FRACTION * total || done === 0) return `ETA after ${Math.round(100 * ETA_MIN_FRACTION)}% done`;
  if (elapsed < ETA_MIN_SECONDS) return `ETA after ${ETA_MIN_SECONDS} s`;
  // `rate`: the recent rate (RateWindow); without it, the average since the start
  return `ETA ${fmtSeconds(rate !== undefined ? (rate > 0 ? (total - done) / rate : Infinity) : (elapsed / done) * (total - done))}`;
}

/**
 * The share done, rounded down: rounded to nearest, 98,304 of 10⁶ read '(10%), … ETA after 10%
 * done', and 99.6% read 100% before the end.
 */
export function pctText(done: number, total: number): string {
  return `${Math.floor((100 * done) / total)}%`;
}

/** Evaluations per second as shown: one decimal below 10/s, whole numbers with separators above. */
export function fmtRate(r: number): string {
  return `${r < 10 ? r.toFixed(1) : Math.round(r).toLocaleString('en-US')}/s`;
}

/**
 * The recent rate of completed work: samples (seconds since the start, done) at most every
 * 0.25 s, the rate over the last third of the elapsed time (at least ETA_MIN_SECONDS).
 */
export class RateWindow {
  private readonly t: number[] = [];
  private readonly d: number[] = [];

  add(elapsed: number, done: number): void {
    const n = this.t.length;
    if (n > 0 && elapsed - this.t[n - 1] < 0.25) return;
    this.t.push(elapsed);
    this.d.push(done);
  }

  /** Work per second over the window ending at `elapsed` (undefined before ETA_MIN_SECONDS). */
  rate(elapsed: number, done: number): number | undefined {
    if (elapsed < ETA_MIN_SECONDS || this.t.length === 0) return undefined;
    const start = elapsed - Math.max(ETA_MIN_SECONDS, elapsed / 3);
    // the window's start only moves forward: samples before the last one at or before it are not needed again
    while (this.t.length > 1 && this.t[1] <= start) {
      this.t.shift();
      this.d.shift();
    }
    const span = elapsed - this.t[0];
    return span > 0 ? (done - this.d[0]) / span : undefined;
  }
}

/** Resolves 'auto' to 'bar' on a TTY, 'lines' otherwise. */
export function resolveMode(mode: ProgressMode): Exclude<ProgressMode, 'auto'> {
  return mode === 'auto' ? (process.stderr.isTTY ? 'bar' : 'lines') : mode;
}

/** `detail`: an extra note appended to each update (e.g. the queue's workers and waiting jobs). */
export function createProgress(mode: ProgressMode, total: number | undefined, label: string, unit = 'evaluated', detail?: () => string | undefined): Progress {
  const extra = () => {
    const d = detail?.();
    return d ? ` | ${d}` : '';
  };
  const m = resolveMode(mode);
  if (m === 'none') return { update() {}, note() {}, stop() {} };
  const t0 = performance.now();
  const elapsed = () => (performance.now() - t0) / 1000;
  const window = new RateWindow();
  if (m === 'bar' && total !== undefined) {
    const bar = new cliProgress.SingleBar(
      { format: `${label} {bar} {percentage}% | {value}/{total} | {duration_formatted} elapsed | {etaText}{detail}`, stream: process.stderr, hideCursor: true },
      cliProgress.Presets.shades_classic,
    );
    let done = 0;
    const payload = (d: number) => {
      const el = elapsed();
      window.add(el, d);
      const r = window.rate(el, d);
      return { etaText: `${r !== undefined ? `${fmtRate(r)} | ` : ''}${etaText(d, total, el, r)}`, detail: extra() };
    };
    bar.start(total, 0, payload(0));
    return {
      update: (d) => {
        done = d;
        bar.update(d, payload(d));
      },
      note: (text) => {
        // cli-progress redraws the bar on the next update; clear the line, print, redraw
        process.stderr.write(`\r\x1b[2K${printable(text)}\n`);
        bar.update(done, payload(done));
      },
      stop: () => bar.stop(),
    };
  }
  let last = 0;
  let lastDone = 0;
  let printed = -1;
  const line = (done: number) => {
    printed = done;
    const el = elapsed();
    const r = window.rate(el, done);
    const pct = total ? ` (${pctText(done, total)})` : '';
    const rate = r !== undefined && done < (total ?? Infinity) ? `, ${fmtRate(r)}` : '';
    const eta = total ? `, ${etaText(done, total, el, r)}` : '';
    process.stderr.write(`${label}: ${done}${total ? `/${total}` : ''} ${unit}${pct}, ${fmtSeconds(el)} elapsed${rate}${eta}${detail?.() ? `; ${detail()}` : ''}\n`);
  };
  return {
    update(done) {
      lastDone = done;
      const now = performance.now();
      window.add((now - t0) / 1000, done);
      if (now - last >= 2000) {
        last = now;
        line(done);
      }
    },
    note(text) {
      process.stderr.write(`${printable(text)}\n`);
    },
    stop() {
      if (printed !== lastDone) line(lastDone);
    },
  };
}
