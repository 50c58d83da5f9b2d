/**
 * DRAM front end: the Q-K-V fetcher's two sides sharing the HBM channels (paper Fig. 8; RTL
 * stage 5). Per (sub-)channel there are two FIFO lanes — the key side (Q, K MSBs, K LSBs) and
 * the value side (V) — sharing the channel round-robin, in available-time units (refresh
 * removed: hbm-timing.ts `availableBefore`). A stream occupies each channel for its per-channel
 * steady-state cost (dram-profile.ts `profileStream`) after the earlier streams of its side; while
 * both sides have work queued on a channel both progress at half rate (processor sharing: the
 * overlap is added to both). That holds for the streams already on the channel too: the RTL's
 * fetcher manager arbitrates round-robin per fragment between the key and the value requests
 * (spec spatten-official-hardware.md §1.5, stage 5), so a stream of one side issued while the
 * other side's streams are still being fetched slows them down as well, and each of those ends
 * later by its share of the overlap (`queueShared`, `stretchLive`; `endOf` gives a stream's end as it stands). A
 * stream completes when its slowest channel is done, and never before its bursts have left the
 * ports (the fetcher issues ≤ `fetcherPorts` × 32 B per cycle, round-robin between the key and
 * value sides while both have bursts queued: `issuePorts`).
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
  /** Streams still being fetched, per side (issue order), and records of finished ones to reuse. */
  private readonly liveK = new LiveList();
  private readonly liveV = new LiveList();
  private spare: LiveStream[] = [];
  /** Each tracked stream's completion time as it stands (`endOf`), by slot. */
  private endAt = new Float64Array(64);
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

  /**
   * When the stream issued with `slot` completes, as it stands: its `end` at issue, moved later
   * while streams of the other side share its channels or ports with it.
   */
  endOf(slot: number): number {
    return this.endAt[slot];
  }

  /**
   * Issues stream s at time `at`; sets `first` and `end`. `slot` (≥ 0) names it for `endOf`: the
   * streams of the other side issued while it is still being fetched move its end later.
   */
  issue(at: number, s: Stream, slot = -1): void {
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
    this.dropDone(aA);
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
    this.eMax = eMax;
    this.addLive(key, s, slot);
  }

  /** The wall time a stream whose last burst leaves at available time `e` completes (`issue`). */
  private completion(e: number, firstLat: number, first: number): number {
    return Math.max((e > this.refP ? this.timeAfterRefresh(e) : e) + firstLat - this.timing.tBurst, first);
  }

  /** Records the stream just issued as live: its per-channel ends (its side's free times on its channels), port end (its side's), first data and latest end (`eMax`). (No times as arguments: V8 would box them.) */
  private addLive(key: boolean, s: Stream, slot: number): void {
    const own = key ? this.freeK : this.freeV;
    const L = this.spare.pop() ?? new LiveStream(this.channels);
    const ends = L.ends;
    const occ = s.occ;
    for (let c = 0; c < ends.length; c++) ends[c] = c < occ.length && occ[c] > 0 ? own[c] : 0;
    L.slot = slot;
    L.port = key ? this.portK : this.portV;
    L.firstLat = s.firstLat;
    L.first = this.first;
    L.last = this.eMax;
    L.moved = false;
    (key ? this.liveK : this.liveV).add(L);
    if (slot >= 0) {
      if (slot >= this.endAt.length) {
        const grown = new Float64Array(Math.max(2 * this.endAt.length, slot + 1));
        grown.set(this.endAt);
        this.endAt = grown;
      }
      this.endAt[slot] = this.end;
    }
  }

  /** Forgets the live streams that have left every channel and the ports by `aA`. */
  private dropDone(aA: number): void {
    this.dropFrom(this.liveK, aA);
    this.dropFrom(this.liveV, aA);
  }

  private dropFrom(list: LiveList, aA: number): void {
    const items = list.items;
    let j = 0;
    for (let i = 0; i < list.n; i++) {
      const L = items[i];
      if (L.last > aA) items[j++] = L;
      else this.spare.push(L);
    }
    list.n = j;
  }

  /**
   * A stream of the other side shares port time with the live streams of `live` from `st` for `ov`
   * cycles: at half rate, each live stream whose bursts leave the ports at e > st leaves them
   * min(e − st, ov) later (the part before it on that lane is slowed too; queueShared does the same
   * per channel).
   */
  private stretchLive(live: LiveList, st: number, ov: number): void {
    const items = live.items;
    for (let i = 0; i < live.n; i++) {
      const L = items[i];
      const e = L.port;
      if (!(e > st)) continue;
      const x = e + (e - st < ov ? e - st : ov);
      L.port = x;
      if (x > L.last) L.last = x;
      L.moved = true;
    }
  }

  /** Moves the ends (`endOf`) of the live streams stretched by the stream just issued. */
  private settle(live: LiveList): void {
    const items = live.items;
    for (let i = 0; i < live.n; i++) {
      const L = items[i];
      if (!L.moved) continue;
      L.moved = false;
      if (L.slot >= 0) this.endAt[L.slot] = this.completion(L.last, L.firstLat, L.first);
    }
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
    if (ov > 0) {
      const live = key ? this.liveV : this.liveK;
      this.stretchLive(live, st, ov);
      this.settle(live);
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
    const live = key ? this.liveV : this.liveK;
    for (let c = 0; c < occ.length; c++) {
      const o = occ[c];
      if (o <= 0) continue;
      const f = own[c];
      const st = f > aA ? f : aA;
      const d = other[c] - st;
      const ov = d > 0 ? (d < o ? d : o) : 0;
      const e = st + o + ov;
      own[c] = e;
      // the other side's live streams on this channel: at half rate from st, a part ending at
      // le > st ends min(le − st, ov) later (`stretchLive`, written out: a call per channel boxed
      // its times)
      if (ov > 0) {
        for (let i = 0; i < live.n; i++) {
          const L = live.items[i];
          const le = L.ends[c];
          if (!(le > st)) continue;
          const x = le + (le - st < ov ? le - st : ov);
          L.ends[c] = x;
          if (x > L.last) L.last = x;
          L.moved = true;
        }
      }
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
    this.settle(live);
  }
}

/**
 * The streams of one side still being fetched, in issue order: the first `n` of `items`. The
 * array only grows (the records past `n` are stale): setting an array's length is a call into V8's
 * runtime, and dropping finished streams did it at every issue.
 */
class LiveList {
  readonly items: LiveStream[] = [];
  n = 0;
  add(L: LiveStream): void {
    if (this.n < this.items.length) this.items[this.n] = L;
    else this.items.push(L);
    this.n++;
  }
}

/**
 * A stream still being fetched: its `endOf` slot, per-channel and port ends (available time), what
 * its completion adds, its latest end, and whether the stream being issued moved it. The times start
 * as doubles (NaN): fields first written as small integers made V8 change their representation.
 */
class LiveStream {
  slot = -1;
  port = NaN;
  firstLat = NaN;
  first = NaN;
  last = NaN;
  moved = false;
  readonly ends: Float64Array;
  constructor(channels: number) {
    this.ends = new Float64Array(channels);
  }
}
