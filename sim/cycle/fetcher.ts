/**
 * DRAM front end: the Q-K-V fetcher's two sides sharing the HBM channels (paper Fig. 8; RTL
 * stage 5). Per (sub-)channel there are two FIFO lanes — the key side (Q, K MSBs, K LSBs) and
 * the value side (V) — sharing the channel round-robin, in available-time units (refresh
 * removed: hbm-timing.ts `availableBefore`). A stream occupies each channel for its per-channel
 * steady-state cost (dram-profile.ts `profileStream`) after the earlier streams of its side; while the
 * other side still has work queued on that channel both progress at half rate (processor
 * sharing: the overlap is added to both). A stream completes when its slowest channel is done,
 * and never before its bursts have left the ports (the fetcher issues ≤ `fetcherPorts` × 32 B per
 * cycle, round-robin between the key and value sides while both have bursts queued: `issuePorts`).
 * The channel times are occupancies (a stream's steady-state cost, dram-profile.ts); its data
 * reach the accelerator one access latency later, the last burst like the first: activate, CAS,
 * the registers on the way (`firstLat` less one burst).
 */
import { subChannels, type HbmTiming } from './hbm-timing.ts';
import type { Stream } from './requests.ts';

export class DramFrontEnd {
  /** (Sub-)channels the streams are spread over. */
  readonly channels: number;
  private readonly freeK: Float64Array;
  private readonly freeV: Float64Array;
  /** Latest free time over the channels, per side (free times only grow). */
  private maxK = 0;
  private maxV = 0;
  /** Earliest start and latest end over the channels of the stream being queued. */
  private sMin = 0;
  private eMax = 0;
  /** Channel-cycles of DRAM work issued so far (Σ over channels). */
  work = 0;
  /**
   * When the fetcher's ports have issued every burst queued so far by the key side and by the value
   * side (≤ ports × 32 B per cycle in all, shared round-robin between the sides while both have bursts queued).
   */
  private portK = 0;
  private portV = 0;
  /** Results of the last `issue`: time of the first data and completion time. */
  first = 0;
  end = 0;
  /** Refresh (hbm-timing.ts availableBefore / timeForAvailable): period tREFI (Infinity: none), tRFC, tREFI − tRFC. */
  private readonly refP: number;
  private readonly refRFC: number;
  private readonly refPer: number;

  constructor(
    readonly timing: HbmTiming,
    dramChannels: number,
    private readonly ports: number,
  ) {
    this.channels = subChannels(timing, dramChannels).channels;
    this.freeK = new Float64Array(this.channels);
    this.freeV = new Float64Array(this.channels);
    this.refP = Number.isFinite(timing.tREFI) ? timing.tREFI : Infinity;
    this.refRFC = timing.tRFC;
    this.refPer = timing.tREFI - timing.tRFC;
  }

  /** hbm-timing.ts `timeForAvailable` (the same operations), for a > tREFI. */
  private timeAfterRefresh(a: number): number {
    const P = this.refP;
    const rest = a - P;
    const j = Math.floor(rest / this.refPer);
    const rem = rest - j * this.refPer;
    if (rem === 0) return (j + 1) * P;
    return (j + 1) * P + this.refRFC + rem;
  }

  /** Issues stream s at time `at`; sets `first` and `end`. */
  issue(at: number, s: Stream): void {
    // `at + 0` (= at: times are never −0) is an unboxed double. Without it V8 keeps every value
    // that may be the argument itself (aA, the per-channel start times below) boxed and allocates
    // a heap number per channel and stream: 1.5 MB per per8 run, a third of the fetcher's time.
    const now = at + 0;
    const tim = this.timing;
    // available time before `now`: hbm-timing.ts availableBefore, written out (the same operations)
    const P = this.refP;
    let aA = now;
    if (now > P) {
      const m = Math.floor(now / P);
      aA = P + (m - 1) * this.refPer + Math.max(0, now - m * P - this.refRFC);
    }
    const key = s.kind !== 2;
    const ownMax = key ? this.maxK : this.maxV;
    const otherMax = key ? this.maxV : this.maxK;
    let sMin = Infinity;
    let eMax = aA;
    if (otherMax <= aA) {
      // the other side has nothing queued on any channel: no sharing
      if (ownMax <= aA) {
        // and this side is idle too: every channel starts now
        const own = key ? this.freeK : this.freeV;
        const occ = s.occ;
        for (let c = 0; c < occ.length; c++) if (occ[c] > 0) own[c] = aA + occ[c];
        if (s.maxOcc > 0) sMin = aA;
        eMax = Math.max(aA, aA + s.maxOcc);
      } else {
        this.queueAlone(aA, s, key ? this.freeK : this.freeV);
        sMin = this.sMin;
        eMax = this.eMax;
      }
      this.work += s.work;
    } else {
      this.queueShared(aA, s);
      sMin = this.sMin;
      eMax = this.eMax;
    }
    if (key) this.maxK = Math.max(this.maxK, eMax);
    else this.maxV = Math.max(this.maxV, eMax);
    eMax = Math.max(eMax, this.issuePorts(aA, s.bursts / this.ports, key));
    const first = (sMin === Infinity ? now : sMin > P ? this.timeAfterRefresh(sMin) : sMin) + s.firstLat;
    this.first = first;
    // the last burst leaves its channel at eMax and arrives one access latency later
    this.end = Math.max((eMax > P ? this.timeAfterRefresh(eMax) : eMax) + s.firstLat - tim.tBurst, first);
  }

  /**
   * The ports: one resource of ≤ `ports` bursts per cycle for both sides, which the fetcher
   * manager arbitrates round-robin between key and value requests (official RTL stage 5,
   * `StageMatFetcherManager`; spec §1.5). A stream's bursts are issued after the earlier bursts of
   * its own side; while the other side still has bursts queued, both go at half rate (the overlap
   * is added to both, as on a channel in `queueShared`). Returns when its last burst is issued.
   */
  private issuePorts(at: number, w: number, key: boolean): number {
    const aA = at + 0; // unboxed (see issue)
    const own = key ? this.portK : this.portV;
    const other = key ? this.portV : this.portK;
    const st = own > aA ? own : aA;
    const d = other - st;
    const ov = d > 0 ? (d < w ? d : w) : 0;
    const e = st + w + ov;
    if (key) {
      this.portK = e;
      this.portV = other + ov;
    } else {
      this.portV = e;
      this.portK = other + ov;
    }
    return e;
  }

  /** Queues s behind its own side's streams (the other side idle); sets sMin and eMax. */
  private queueAlone(at: number, s: Stream, own: Float64Array): void {
    const aA = at + 0; // unboxed (see issue)
    const occ = s.occ;
    let sMin = Infinity;
    let eMax = aA;
    for (let c = 0; c < occ.length; c++) {
      const o = occ[c];
      if (o <= 0) continue;
      const f = own[c];
      const st = f > aA ? f : aA;
      const e = st + o;
      own[c] = e;
      if (st < sMin) sMin = st;
      if (e > eMax) eMax = e;
    }
    this.sMin = sMin;
    this.eMax = eMax;
  }

  /** Queues s behind its side's streams, sharing each channel at half rate with the other side's backlog; sets sMin and eMax. */
  private queueShared(at: number, s: Stream): void {
    const aA = at + 0; // unboxed (see issue)
    const occ = s.occ;
    const key = s.kind !== 2;
    const own = key ? this.freeK : this.freeV;
    const other = key ? this.freeV : this.freeK;
    let sMin = Infinity;
    let eMax = aA;
    let otherMax = key ? this.maxV : this.maxK;
    for (let c = 0; c < occ.length; c++) {
      const o = occ[c];
      if (o <= 0) continue;
      const f = own[c];
      const st = f > aA ? f : aA;
      const d = other[c] - st;
      const ov = d > 0 ? (d < o ? d : o) : 0;
      const e = st + o + ov;
      own[c] = e;
      // + 0 leaves a time unchanged (never −0), and the side's latest time is ≥ every channel's
      const x = (other[c] += ov);
      if (x > otherMax) otherMax = x;
      if (st < sMin) sMin = st;
      if (e > eMax) eMax = e;
    }
    this.work += s.work; // = Σ o over the channels with o > 0, in channel order (requests.ts occTotals)
    if (key) this.maxV = otherMax;
    else this.maxK = otherMax;
    this.sMin = sMin;
    this.eMax = eMax;
  }
}
