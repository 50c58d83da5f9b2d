/**
 * How long a Redis connection was cut off, taken from the connection's own events (ioredis 'close',
 * 'reconnecting', 'error', 'ready') rather than from the once-a-second heartbeat (coordinator,
 * dse/backends/queue.ts) or registry poll (worker, queue-worker.ts) that notices it: measured from
 * those, a 20 s outage was said as "answers again after 21 s" (each end up to a beat late, plus the
 * reconnection delay).
 *
 * The outage starts at the connection's first 'close'. When Redis answered again is known only
 * between two reconnection attempts: after the start of the last one that failed, before the one
 * that succeeded, at most RECONNECT_MAX_MS + RECONNECT_JITTER_MS apart (redis.ts reconnectDelay).
 * The message gives both bounds and that spacing.
 */
import type { Redis } from 'ioredis';
import { RECONNECT_JITTER_MS, RECONNECT_MAX_MS } from './redis.ts';

/** One outage, ms since the epoch: the connection lost, the start of the last reconnection attempt that failed (0: none), the connection back (0: not yet). */
export interface OutageSpan {
  lostAt: number;
  failedAt: number;
  backAt: number;
}

/** The longest time between two reconnection attempts, s: how closely the end of an outage is known. */
export const ATTEMPT_GAP_S = (RECONNECT_MAX_MS + RECONNECT_JITTER_MS) / 1000;

/** The outages of one connection, from its events; `end` closes one once its owner saw the connection back. */
export class OutageClock {
  private span: OutageSpan = { lostAt: 0, failedAt: 0, backAt: 0 };
  /** When the reconnection attempt under way started. */
  private attemptAt = 0;
  /** The code (or message) of the connection's last error. */
  why = '';

  constructor(conn: Pick<Redis, 'status' | 'on'>, private readonly now: () => number = Date.now) {
    // not connected yet: down from now on, as far as its owner can tell
    if (conn.status !== 'ready') this.span.lostAt = now();
    conn.on('close', () => {
      // lost again before its owner saw it back: one outage
      if (this.span.lostAt === 0) this.span = { lostAt: this.now(), failedAt: 0, backAt: 0 };
      else this.span.backAt = 0;
    });
    conn.on('reconnecting', (delayMs: number) => (this.attemptAt = this.now() + delayMs));
    conn.on('error', (e: NodeJS.ErrnoException) => {
      this.why = e.code ?? e.message;
      // a failed attempt; the error that cuts a live connection comes before its 'close' (lostAt 0)
      if (this.span.lostAt > 0) this.span.failedAt = Math.min(this.attemptAt || this.now(), this.now());
    });
    conn.on('ready', () => {
      if (this.span.lostAt > 0) this.span.backAt = this.now();
    });
  }

  /** When the current outage started (0: none). */
  get lostAt(): number {
    return this.span.lostAt;
  }

  /** Since when the connection is down, for an owner that found it not ready (a connection never made counts from now). */
  downSince(): number {
    if (this.span.lostAt === 0) this.span.lostAt = this.now();
    return this.span.lostAt;
  }

  /** Closes the outage of a connection that is ready again: its span (undefined: there was none). */
  end(): OutageSpan | undefined {
    const s = this.span;
    this.span = { lostAt: 0, failedAt: 0, backAt: 0 };
    return s.lostAt === 0 ? undefined : { ...s, backAt: s.backAt || this.now() };
  }
}

const two = (n: number) => String(n).padStart(2, '0');

/** Local time of day to the tenth of a second (truncated): 20:41:03.2. */
export function clockTime(t: number): string {
  const d = new Date(t);
  return `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}.${Math.floor(d.getMilliseconds() / 100)}`;
}

/**
 * What an outage's span says, its bounds rounded outwards to 0.1 s: "unreachable 20.3-21.0 s:
 * connection lost at 20:41:03.2, last failed reconnection at 20:41:23.5, reconnected at 20:41:24.2
 * (attempts are at most 1.2 s apart)".
 */
export function outageText(s: OutageSpan): string {
  const upper = Math.ceil((s.backAt - s.lostAt) / 100) / 10;
  const failed = s.failedAt > s.lostAt;
  const lower = failed ? Math.floor((s.failedAt - s.lostAt) / 100) / 10 : 0;
  const span = failed ? `${lower.toFixed(1)}-${upper.toFixed(1)} s` : `up to ${upper.toFixed(1)} s`;
  return `unreachable ${span}: connection lost at ${clockTime(s.lostAt)}${failed ? `, last failed reconnection at ${clockTime(s.failedAt)}` : ''}, reconnected at ${clockTime(s.backAt)} (attempts are at most ${ATTEMPT_GAP_S} s apart)`;
}
