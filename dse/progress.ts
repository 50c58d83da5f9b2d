/**
 * Progress for long work: a bar with ETA on a TTY (cli-progress), plain lines otherwise (at most
 * one every 2 s, plus the final count), nothing with mode 'none'. Always on stderr.
 */
import cliProgress from 'cli-progress';

export type ProgressMode = 'auto' | 'bar' | 'lines' | 'none';

export interface Progress {
  update(done: number): void;
  stop(): void;
}

function fmtSeconds(s: number): string {
  if (!Number.isFinite(s)) return '?';
  if (s < 60) return `${s.toFixed(1)} s`;
  return `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
}

/** `detail`: an extra note appended to each update (e.g. the queue's workers and waiting jobs). */
export function createProgress(mode: ProgressMode, total: number | undefined, label: string, detail?: () => string | undefined): Progress {
  const m = mode === 'auto' ? (process.stderr.isTTY ? 'bar' : 'lines') : mode;
  if (m === 'none') return { update() {}, stop() {} };
  if (m === 'bar' && total !== undefined) {
    const bar = new cliProgress.SingleBar(
      { format: `${label} {bar} {percentage}% | {value}/{total} | {duration_formatted} elapsed | ETA {eta_formatted}{detail}`, stream: process.stderr, hideCursor: true, etaBuffer: 50 },
      cliProgress.Presets.shades_classic,
    );
    const note = () => {
      const d = detail?.();
      return { detail: d ? ` | ${d}` : '' };
    };
    bar.start(total, 0, note());
    return {
      update: (d) => bar.update(d, note()),
      stop: () => bar.stop(),
    };
  }
  const t0 = performance.now();
  let last = 0;
  let lastDone = 0;
  const line = (done: number) => {
    const el = (performance.now() - t0) / 1000;
    const pct = total ? ` (${((100 * done) / total).toFixed(0)}%)` : '';
    const eta = total && done > 0 ? `, ETA ${fmtSeconds((el / done) * (total - done))}` : '';
    const d = detail?.();
    process.stderr.write(`${label}: ${done}${total ? `/${total}` : ''} evaluated${pct}, ${fmtSeconds(el)} elapsed${eta}${d ? `; ${d}` : ''}\n`);
  };
  return {
    update(done) {
      lastDone = done;
      const now = performance.now();
      if (now - last >= 2000) {
        last = now;
        line(done);
      }
    },
    stop() {
      line(lastDone);
    },
  };
}
