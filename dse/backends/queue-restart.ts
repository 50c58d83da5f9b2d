/**
 * A worker's runs across a Redis restart without its data (no persistence): the registry (RedisKeys.runs)
 * and the alive keys are gone until each coordinator's next heartbeat writes them again (within a
 * second or two of Redis answering: dse/backends/queue.ts), and a worker that polled in between took
 * the run for ended and left its queue, to join it again a second later with a second "serving run"
 * line and no word of why.
 *
 * A worker cannot tell from the registry alone whether a run ended (its coordinator removed its
 * entry) or Redis lost it; Redis' run_id tells (`poll`). After a
 * restart the worker keeps serving (its BullMQ workers reconnect to the same queue names) the runs
 * missing from the registry for ALIVE_TTL_MS, as long as it waits for a live coordinator's alive
 * key, and says so, and again when the run is registered again or when it leaves it.
 */
import { ALIVE_TTL_MS, runIdOf } from './redis.ts';

interface InfoClient {
  info(section: string): Promise<string>;
}

export class RestartGrace {
  /** A reconnection happened since run_id was last read. */
  private reconnected = false;
  /** When this worker found Redis restarted (0: not since it started). */
  private restartedAt = 0;
  /** Runs missing since the restart that the worker still serves (queue → their description). */
  private readonly awaited = new Map<string, string>();
  /** Runs found registered since the restart: one missing later has ended. */
  private readonly seenSince = new Set<string>();

  constructor(
    private runId: string,
    private readonly say: (line: string) => void,
    private readonly now: () => number = Date.now,
    private readonly graceMs = ALIVE_TTL_MS,
  ) {}

  /** The registry connection is ready (again): its next poll reads run_id. */
  onReady(): void {
    this.reconnected = true;
  }

  /**
   * At a poll, after reading the registry: reads Redis' run_id when the connection was made again
   * since the last read (keeping it current across restarts that kept the data), or when a run it
   * serves is missing from the registry (read on the same connection after the registry, so from
   * the same server, even when the registry's read was sent before Redis went); a new one is a restart.
   */
  async poll(client: InfoClient, missing: boolean): Promise<void> {
    if (!this.reconnected && !missing) return;
    this.reconnected = false;
    const id = runIdOf(await client.info('server').catch((e: unknown) => ((this.reconnected = true), Promise.reject(e))));
    if (id === '' || id === this.runId) return;
    this.runId = id;
    this.restartedAt = this.now();
    this.seenSince.clear();
  }

  /**
   * Whether to keep serving `queue`, served and missing from the registry: yes within the grace
   * after a restart, unless it was registered since (said once per run); said as the worker leaves
   * it when the grace is over.
   */
  keep(queue: string, run: string): boolean {
    if (this.restartedAt === 0 || this.seenSince.has(queue)) return false;
    const waited = this.now() - this.restartedAt;
    if (waited < this.graceMs) {
      if (!this.awaited.has(queue)) this.say(`Redis restarted without its data (run_id now ${this.runId.slice(0, 8)}…): run ${run} is no longer registered there; serving its queue on until its coordinator registers it again, up to ${this.graceMs / 1000} s (the jobs finished or running as Redis went are evaluated again: their results went with its data)`);
      this.awaited.set(queue, run);
      return true;
    }
    if (this.awaited.delete(queue)) this.say(`leaving run ${run}: not registered again within ${this.graceMs / 1000} s of Redis restarting (its coordinator ended, or cannot reach Redis)`);
    return false;
  }

  /** `queue` is registered: says so, once, when it was awaited. */
  back(queue: string): void {
    this.seenSince.add(queue);
    const run = this.awaited.get(queue);
    if (run === undefined) return;
    this.awaited.delete(queue);
    this.say(`run ${run} registered again ${((this.now() - this.restartedAt) / 1000).toFixed(1)} s after this worker found Redis restarted; serving it on`);
  }
}
