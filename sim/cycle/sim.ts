/**
 * Event-driven cycle-level simulator of the SpAtten pipeline (paper §IV, Fig. 8; official RTL
 * stage table, spec §1.5). See sim/cycle/README.md for the model description and fidelity.
 *
 * `simulateCycle` wires the components and runs the event loop:
 *  - requests.ts: per-request static quantities (work, buffer lines, DRAM streams, activity);
 *  - events.ts: the event queue (time jumps from event to event);
 *  - scheduler.ts: admission (in-flight limit, key-buffer lines, token top-k gate);
 *  - fetcher.ts: the DRAM front end (key and value sides sharing the HBM channels, refresh),
 *    priced by the bank-level HBM2 model (dram.ts, memoised per stream shape in profiles.ts);
 *  - buffers.ts: key/value buffers as line allocators;
 *  - compute.ts: Q·K, softmax and prob·V servers;
 *  - topk-engine.ts: the top-k engines (local-V; token + head) behind one interface;
 *  - pipeline.ts: the order of a request's steps after admission.
 */
import { HW_HEAD_DIM, softmaxLanes, type HardwareConfig } from '../schema.ts';
import type { Workload } from '../workload/types.ts';
import { refetchDraws, mulberry32 } from '../workload/trace.ts';
import type { Activity, ModelResult, StageCycles } from '../hw/types.ts';
import { emptyActivity } from '../hw/types.ts';
import { energyFromActivity } from '../hw/energy.ts';
import { areaOf } from '../hw/area.ts';
import { LineBuffer } from './buffers.ts';
import { dramTimingOf } from '../hw/dram-cost.ts';
import { timeForAvailable } from './hbm-timing.ts';
import { designEngines, type TopkEngineSpec } from '../hw/topk.ts';
import { EV_ADMIT, EV_DECISION, EV_DRAM, EV_KARRIVE, EV_VALLOC, EV_VARRIVE, EV_VRELEASE, EventQueue } from './events.ts';
import { DramFrontEnd } from './fetcher.ts';
import { bufferLines } from './geometry.ts';
import { HeadPipeline } from './pipeline.ts';
import { prepareRequests, type RequestTable, T_BURSTS, T_DRAM_BYTES, T_HITS, T_KEY_R, T_KEY_W, T_MISSES, T_OCC_MAX, T_OCC_MEAN, T_PV_MACS, T_QK_MACS, T_SOFTMAX, T_SPLITS, T_VAL_R, T_VAL_W } from './requests.ts';
import { RequestScheduler, WAIT_GATE, WAIT_KEY_BUFFER, WAIT_VALUE_BUFFER, WAIT_WINDOW } from './scheduler.ts';
import { specTopkEngine, type TopkEngine } from './topk-engine.ts';

export { PAPER_KB_BYTES, fuseFactor } from './geometry.ts';
import { derivedMetrics } from '../metrics.ts';

/**
 * Run options. Every switch that changes timing (top-k model and filter width, the token top-k
 * gate, refresh, DRAM mapping and window) is a field of the hardware config (sim/schema.ts), read
 * the same way by the analytical model; only the seed and an engine override for tests are here.
 */
export interface CycleOptions {
  /** Seed of the per-head refetch draws and the quick-select pivots (default 1). */
  seed?: number;
  /**
   * A top-k engine model to use instead of the design's (tests, experiments): called once for the
   * local-V engine and once for the token/head engine, with that engine's spec (sim/hw/topk.ts).
   */
  topkEngine?: (hw: HardwareConfig, spec: TopkEngineSpec) => TopkEngine;
}

/** Every component of one run. */
interface Run {
  queue: EventQueue;
  dram: DramFrontEnd;
  scheduler: RequestScheduler;
  pipeline: HeadPipeline;
  keyBufLines: number;
  valBufLines: number;
  tb: RequestTable;
}

function buildRun(w: Workload, hw: HardwareConfig, opts: CycleOptions): Run {
  const seed = opts.seed ?? 1;
  const tim = dramTimingOf(hw);
  const buf = bufferLines(hw);
  const refetch = refetchDraws(w, seed);
  const reqs = w.requests;
  const reuseKV = w.reuseKV;
  const tb = prepareRequests(reqs, { hw, tim, reuseKV, refetch, keyBufLines: buf.key, valBufLines: buf.value, keyLineBits: buf.keyLineBits, valLineBits: buf.valLineBits });
  const queue = new EventQueue([EV_VALLOC], EV_ADMIT);
  const dram = new DramFrontEnd(tim, hw.dramChannels, hw.fetcherPorts);
  const keyBuf = new LineBuffer(buf.key);
  const valBuf = new LineBuffer(buf.value);
  // The two engines of the design (sim/hw/topk.ts): local-V; token + head.
  const eng = designEngines(hw, reqs[0]?.D ?? HW_HEAD_DIM, softmaxLanes(hw));
  const engine = opts.topkEngine ? opts.topkEngine(hw, eng.localV) : specTopkEngine(eng.localV);
  const pipeline = new HeadPipeline(reqs, tb, queue, dram, valBuf, engine, {
    hw,
    reuseKV,
    refetch,
    filterAtQk: false,
    tokenEngine: opts.topkEngine ? opts.topkEngine(hw, eng.tokenHead) : specTopkEngine(eng.tokenHead),
    rngLocal: mulberry32(seed * 2654435761 + 17),
    rngToken: mulberry32(seed * 2246822519 + 29),
  });
  const scheduler = new RequestScheduler(reqs, tb, queue, keyBuf, valBuf, { inFlight: hw.inFlight, reuseKV, gateTokenTopk: hw.gateTokenTopk }, pipeline);
  pipeline.attach(scheduler);
  return { queue, dram, scheduler, pipeline, keyBufLines: buf.key, valBufLines: buf.value, tb };
}

/** Runs the event loop to the end; returns the number of events. */
function runEvents(run: Run, N: number): number {
  const { queue, scheduler, pipeline, dram } = run;
  scheduler.schedule(0);
  let events = 0;
  while (queue.pop()) {
    const now = queue.outT;
    const a = queue.outA;
    events++;
    switch (queue.outKind) {
      case EV_ADMIT:
        scheduler.admit(now);
        break;
      case EV_KARRIVE:
        if (a >= 0) pipeline.fetch(now, 0, a);
        else pipeline.fetch(now, 1, -1 - a);
        break;
      case EV_VARRIVE:
        pipeline.fetch(now, 2, a);
        break;
      case EV_DRAM: {
        // a stream whose channels the other side shared after its issue ends later (fetcher.ts endOf)
        const kind = a >= 0 ? 0 : a >= -N ? 1 : 2;
        const i = kind === 0 ? a : kind === 1 ? -1 - a : -1 - N - a;
        const end = dram.endOf(kind * N + i);
        if (end > now) queue.push(end, EV_DRAM, a);
        else pipeline.onStreamDone(kind, i, now);
        break;
      }
      case EV_DECISION:
        pipeline.onDecision(a, now);
        break;
      case EV_VRELEASE:
        pipeline.onValueRelease(a, now);
        break;
      case EV_VALLOC:
        pipeline.tryValloc(now);
        break;
    }
  }
  return events;
}

export function simulateCycle(w: Workload, hw: HardwareConfig, opts: CycleOptions = {}): ModelResult {
  const N = w.requests.length;
  const run = buildRun(w, hw, opts);
  const events = runEvents(run, N);
  const { pipeline: p, scheduler } = run;
  if (!Number.isFinite(p.end)) throw new Error(`simulateCycle: non-finite completion time (${p.end}); check the hardware config and sim/hw/tables/pipeline.json`);
  if (p.nextPV < N) throw new Error(`simulateCycle: deadlock — ${N - p.nextPV} of ${N} requests unfinished (admitted ${scheduler.nextAdmit})`);
  return result(run, hw, events);
}

/** The run's metrics: cycles, activity → energy, area, stage busy times, DRAM and stall counters. */
function result(run: Run, hw: HardwareConfig, events: number): ModelResult {
  const act = runActivity(run);
  const cycles = Math.ceil(run.pipeline.end);
  act.cycles = cycles;
  const latency_s = cycles / (hw.clockGHz * 1e9);
  const { energy_j, breakdown } = energyFromActivity(act, hw);
  const area = areaOf(hw);
  const ops = 2 * (act.qkMacs + act.pvMacs);
  return {
    latency_s,
    cycles,
    dram_bytes: act.dramBytes,
    energy_j,
    area_mm2: area.area_mm2,
    ...derivedMetrics({ latency_s, energy_j, ops, area_mm2: area.area_mm2 }),
    activity: act,
    energy: breakdown,
    area: area.breakdown,
    stages: stageBusy(run, cycles),
    extra: { ...runCounters(run, hw, events, act, latency_s), ...admissionAccount(run.scheduler, run.pipeline.lastDecision, cycles) },
  };
}

/**
 * Where the run's cycles went, from the scheduler's account: the admissions (one cycle each after
 * the first), the waits before them per reason, and the drain after the last one; the six sum to
 * `cycles`. The window's and key buffer's waits are split again by what the heads whose decisions
 * ended them waited for (`wait_full_on_*`: their key streams, or Q·K/softmax), and the drain at the
 * last decision (`drain_front_cycles`: the last heads' passes; `drain_engines_cycles`: the engines
 * after the decision, top-k and prob·V, with the last V streams).
 */
function admissionAccount(s: RequestScheduler, lastDecision: number, cycles: number): Record<string, number> {
  const w = s.waited;
  const waits = w[WAIT_GATE] + w[WAIT_WINDOW] + w[WAIT_KEY_BUFFER] + w[WAIT_VALUE_BUFFER];
  return {
    admit_cycles: s.lastAdmit - waits,
    wait_token_gate_cycles: w[WAIT_GATE],
    wait_window_cycles: w[WAIT_WINDOW],
    wait_key_buffer_cycles: w[WAIT_KEY_BUFFER],
    wait_value_buffer_cycles: w[WAIT_VALUE_BUFFER],
    drain_cycles: cycles - s.lastAdmit,
    wait_full_on_dram_cycles: s.fullOnDram,
    wait_full_on_compute_cycles: s.fullOnCompute,
    drain_front_cycles: lastDecision - s.lastAdmit,
    drain_engines_cycles: cycles - lastDecision,
  };
}

/** The run's activity counts from the request tally and the top-k engines (cycles left 0). */
function runActivity(run: Run): Activity {
  const t = run.tb.tally;
  const act = emptyActivity();
  act.qkMacs = t[T_QK_MACS];
  act.pvMacs = t[T_PV_MACS];
  act.softmaxElems = t[T_SOFTMAX];
  act.keySramWriteBits = t[T_KEY_W];
  act.keySramReadBits = t[T_KEY_R];
  act.valueSramWriteBits = t[T_VAL_W];
  act.valueSramReadBits = t[T_VAL_R];
  act.dramBytes = t[T_DRAM_BYTES];
  act.dramActivations = t[T_MISSES];
  act.fetcherBytes = act.dramBytes;
  act.topkCompares = run.pipeline.compares;
  return act;
}

/** Busy cycles per stage; the overhead is what the busiest stage leaves of `cycles`. */
function stageBusy(run: Run, cycles: number): StageCycles {
  const p = run.pipeline;
  const { qk, softmax } = p.scorer;
  const busy: StageCycles = {
    // channel-mean occupancy in wall-clock cycles: the refresh windows it spans count as busy
    dram: timeForAvailable(run.dram.work / run.dram.channels, run.dram.timing),
    qk: qk.busy,
    softmax: softmax.busy,
    // Two engines (local-V; token + head): the busier one, as the analytical model reports it.
    topk: Math.max(p.topkLocal, p.topkToken + p.topkHead),
    pv: p.pv.busy,
    overhead: 0,
  };
  busy.overhead = Math.max(0, cycles - Math.max(busy.dram, busy.qk, busy.softmax, busy.topk, busy.pv));
  return busy;
}

/** The cycle model's extra statistics: events, DRAM rows and bandwidth, top-k cycles, stalls, buffers. */
function runCounters(run: Run, hw: HardwareConfig, events: number, act: Activity, latency_s: number): Record<string, number> {
  const { pipeline: p, tb } = run;
  const t = tb.tally;
  const hits = t[T_HITS];
  const misses = t[T_MISSES];
  const { qk, softmax } = p.scorer;
  return {
    events,
    dram_bursts: t[T_BURSTS],
    dram_row_hits: hits,
    dram_row_misses: misses,
    dram_row_hit_rate: hits / Math.max(1, hits + misses),
    dram_achieved_gbps: latency_s > 0 ? act.dramBytes / latency_s / 1e9 : 0,
    dram_peak_gbps: hw.dramChannels * hw.dramChannelGBps,
    dram_channel_imbalance: t[T_OCC_MEAN] > 0 ? t[T_OCC_MAX] / t[T_OCC_MEAN] : 1,
    topk_cycles_local: p.topkLocal,
    topk_cycles_token: p.topkToken,
    topk_cycles_head: p.topkHead,
    stall_qk: qk.stall,
    stall_softmax: softmax.stall,
    stall_pv: p.pv.stall,
    refetches: p.refetches,
    split_requests: t[T_SPLITS],
    key_buffer_lines: run.keyBufLines,
    value_buffer_lines: run.valBufLines,
    key_sram_reads_bits: act.keySramReadBits,
    key_sram_writes_bits: act.keySramWriteBits,
    value_sram_reads_bits: act.valueSramReadBits,
    value_sram_writes_bits: act.valueSramWriteBits,
  };
}
