/**
 * DRAM front end: the Q-K-V fetcher's two sides sharing the HBM channels (paper Fig. 8; RTL
 * stage 5). Per (sub-)channel there are two FIFO lanes — the key side (Q, K MSBs, K LSBs) and
 * the value side (V) — sharing the channel round-robin, in available-time units (refresh
 * removed: dram.ts `availableBefore`). A stream occupies each channel for its per-channel
 * steady-state cost (dram.ts `profileStream`) after the earlier streams of its side; while the
 * other side still has work queued on that channel both progress at half rate (processor
 * sharing: the overlap is added to both). A stream completes when its slowest channel is done,
 * and never before `bursts / ports` cycles (the fetcher issues ≤ `fetcherPorts` × 32 B per cycle).
 */
import { availableBefore, subChannels, timeForAvailable, type HbmTiming } from './dram.ts';
import type { Stream } from './requests.ts';

export class DramFrontEnd {
  /** (Sub-)channels the streams are spread over. */
  readonly channels: number;
  private readonly freeK: Float64Array;
  private readonly freeV: Float64Array;
  /** Channel-cycles of DRAM work issued so far (Σ over channels). */
  work = 0;
  /** Results of the last `issue`: time of the first data and completion time. */
  first = 0;
  end = 0;

  constructor(
    private readonly tim: HbmTiming,
    dramChannels: number,
    private readonly ports: number,
  ) {
    this.channels = subChannels(tim, dramChannels).channels;
    this.freeK = new Float64Array(this.channels);
    this.freeV = new Float64Array(this.channels);
  }

  /** Issues stream s at time `now`; sets `first` and `end`. */
  issue(now: number, s: Stream): void {
    const tim = this.tim;
    const aA = availableBefore(now, tim);
    let sMin = Infinity;
    let eMax = aA;
    const occ = s.occ;
    const own = s.kind === 2 ? this.freeV : this.freeK;
    const other = s.kind === 2 ? this.freeK : this.freeV;
    const n = occ.length;
    let work = 0;
    for (let c = 0; c < n; c++) {
      const o = occ[c];
      if (o <= 0) continue;
      const f = own[c];
      const st = f > aA ? f : aA;
      const d = other[c] - st;
      const ov = d > 0 ? (d < o ? d : o) : 0;
      const e = st + o + ov;
      own[c] = e;
      if (ov > 0) other[c] += ov;
      work += o;
      if (st < sMin) sMin = st;
      if (e > eMax) eMax = e;
    }
    this.work += work;
    eMax = Math.max(eMax, aA + s.bursts / this.ports);
    const first = (sMin === Infinity ? now : timeForAvailable(sMin, tim)) + s.firstLat;
    this.first = first;
    this.end = Math.max(timeForAvailable(eMax, tim), first);
  }
}
