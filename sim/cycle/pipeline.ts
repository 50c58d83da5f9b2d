/**
 * The path of a head request after admission (paper Fig. 8): key-side DRAM streams → Q·K →
 * softmax → progressive-quantization decision (a refetching head re-enters the key side for its
 * LSBs and is scored again) → in request order: local-V top-k, cascade token top-k → value-buffer
 * allocation and V fetch (generation) → prob·V in request order → head top-k after the last head
 * of a layer whose next layer keeps fewer heads. Each step uses one component (DRAM front end,
 * compute servers, top-k engines, buffers); this module holds the per-request times and the
 * order between them.
 */
import type { HardwareConfig } from '../schema.ts';
import type { HeadRequest } from '../workload/types.ts';
import type { LineBuffer } from './buffers.ts';
import { AttentionScorer, StreamServer } from './compute.ts';
import { EV_DECISION, EV_DRAM, EV_KARRIVE, EV_VALLOC, EV_VARRIVE, EV_VRELEASE, type EventQueue } from './events.ts';
import type { DramFrontEnd } from './fetcher.ts';
import { lanes, type Lanes } from './geometry.ts';
import { L_ALLOC, L_REQ_FIFO, L_TO_ARRAY } from './latency.ts';
import type { RequestTable } from './requests.ts';
import type { FetchPort, RequestScheduler } from './scheduler.ts';
import type { TopkEngine } from './topk-engine.ts';

export interface PipelineConfig {
  hw: HardwareConfig;
  reuseKV: boolean;
  refetch: readonly boolean[];
  /** Filter pass of the local-V and token top-k at the Q·K rate instead of the comparators (quickSelectEngine only). */
  filterAtQk: boolean;
  /** The token/head engine (§IV-B: the second engine); default: the local-V engine's model. */
  tokenEngine?: TopkEngine;
  /** Pivot streams: local-V engine, token/head engine. */
  rngLocal: () => number;
  rngToken: () => number;
}

export class HeadPipeline implements FetchPort {
  readonly scorer = new AttentionScorer();
  readonly pv = new StreamServer();
  /** Engine cycles: local-V (its busier stage when the filter is pipelined); token and head top-k (the second engine). */
  topkLocal = 0;
  /** Local-V engine: selection-stage and filter-stage busy cycles. */
  topkLocalSelect = 0;
  topkLocalFilter = 0;
  topkToken = 0;
  topkHead = 0;
  /** Top-k element comparisons. */
  compares = 0;
  refetches = 0;
  /** Value-allocation attempts refused for lack of room. */
  valueBufferStalls = 0;
  /** Latest completion of anything (prob·V, token or head top-k). */
  end = 0;
  /** Time of the last final decision (the front's last head done; what follows is the engines'). */
  lastDecision = 0;
  /** Next request to reach prob·V (all finished when it equals the request count). */
  nextPV = 0;
  private scheduler!: RequestScheduler;
  private get tokenEngine(): TopkEngine {
    return this.cfg.tokenEngine ?? this.engine;
  }
  private readonly n: number;
  private readonly kFirst: Float64Array;
  private readonly lsbFirst: Float64Array;
  private readonly vFirst: Float64Array;
  private readonly vEnd: Float64Array;
  private readonly decF: Float64Array;
  /** When a request's first row (query) is decided: its rows are decided one by one over its softmax job. */
  private readonly rowsFrom: Float64Array;
  private readonly vidsStart: Float64Array;
  private readonly probsEnd: Float64Array;
  private readonly downDone: Uint8Array;
  /** 1 if request i's last pass waited for its key stream (AttentionScorer.dramBound). */
  private readonly decOnDram: Uint8Array;
  private nextDown = 0;
  private localFree = 0;
  private filterFree = 0;
  private tokFree = 0;
  private layerDecMax = 0;
  /** Requests waiting for value lines, in order: vallocQ[vallocHead .. vallocTail) (each enters once). */
  private readonly vallocQ: Int32Array;
  private vallocHead = 0;
  private vallocTail = 0;
  /** Per request: 1 if it is the last of its (iteration, layer); the heads the head top-k keeps after it (−1: no head top-k). */
  private readonly layerLast: Uint8Array;
  private readonly headKeep: Int32Array;
  /** Heads in each request's (iteration, layer). */
  private readonly heads: Int32Array;

  constructor(
    private readonly reqs: readonly HeadRequest[],
    private readonly tb: RequestTable,
    private readonly queue: EventQueue,
    private readonly dram: DramFrontEnd,
    private readonly valBuf: LineBuffer,
    private readonly engine: TopkEngine,
    private readonly cfg: PipelineConfig,
  ) {
    const N = (this.n = reqs.length);
    this.kFirst = new Float64Array(N);
    this.lsbFirst = new Float64Array(N);
    this.vFirst = new Float64Array(N);
    this.vEnd = new Float64Array(N).fill(-1);
    this.decF = new Float64Array(N).fill(-1);
    this.rowsFrom = new Float64Array(N);
    this.vidsStart = new Float64Array(N);
    this.probsEnd = new Float64Array(N);
    this.downDone = new Uint8Array(N);
    this.decOnDram = new Uint8Array(N);
    this.vallocQ = new Int32Array(N);
    this.heads = headsPerLayer(reqs);
    this.layerLast = new Uint8Array(N);
    this.headKeep = new Int32Array(N).fill(-1);
    for (let i = 0; i < N; i++) {
      const r = reqs[i];
      const nx = reqs[i + 1];
      if (!nx || nx.layer !== r.layer || nx.iteration !== r.iteration) this.layerLast[i] = 1;
      // head top-k after the last head of a layer whose next layer keeps fewer heads
      if (nx && nx.iteration === r.iteration && nx.layer === r.layer + 1 && this.heads[i + 1] < this.heads[i]) this.headKeep[i] = this.heads[i + 1];
    }
  }

  attach(s: RequestScheduler): void {
    this.scheduler = s;
  }

  /** Stream `kind` of request i reaches the fetcher: issue it, schedule its end (EV_DRAM). */
  fetch(now: number, kind: 0 | 1 | 2, i: number): void {
    const s = kind === 0 ? this.tb.kStream[i] : kind === 1 ? this.tb.lsbStream[i]! : this.tb.vStream[i]!;
    this.dram.issue(now, s, kind * this.n + i);
    if (kind === 0) this.kFirst[i] = this.dram.first;
    else if (kind === 1) this.lsbFirst[i] = this.dram.first;
    else this.vFirst[i] = this.dram.first;
    this.queue.push(this.dram.end, EV_DRAM, kind === 0 ? i : kind === 1 ? -1 - i : -1 - this.n - i);
  }

  /** Event EV_DRAM: a stream of request i ended. */
  onStreamDone(kind: number, i: number, now: number): void {
    const tb = this.tb;
    if (kind === 2) {
      this.vEnd[i] = now;
      this.tryPV();
      return;
    }
    const first = kind === 0 ? this.kFirst[i] : this.lsbFirst[i];
    const dec = this.scorer.pass(first, now, tb.qkWork[i], tb.smWork[i], tb.qkLat[i], tb.reqLat[i]);
    this.decOnDram[i] = this.scorer.dramBound ? 1 : 0;
    // the rows are decided one at a time (RTL stage 11 holds one row), spread evenly over the
    // softmax job: the first one (q − 1)/q of it before the last (= dec for a single row)
    const q = Math.max(1, this.reqs[i].queries);
    const sm = this.scorer.softmax;
    this.rowsFrom[i] = dec - ((sm.free - sm.start) * (q - 1)) / q;
    if (kind === 0 && this.cfg.refetch[i]) {
      this.refetches++;
      // the LSB request re-enters at stage 2 (1 register); the fetcher's stages 4 and 6a
      // (fetchIssueLatency) are the stream's first latency, once (requests.ts firstLat)
      this.queue.push(dec + L_REQ_FIFO, EV_KARRIVE, -1 - i);
    } else this.queue.push(dec, EV_DECISION, i);
  }

  /** Event EV_DECISION: request i decided; requests whose predecessors all decided move on. */
  onDecision(i: number, now: number): void {
    this.decF[i] = now;
    this.lastDecision = Math.max(this.lastDecision, now);
    this.scheduler.retire(i, now, this.decOnDram[i] === 1);
    while (this.nextDown < this.n && this.decF[this.nextDown] >= 0) this.downstream(this.nextDown++, now);
  }

  /** Event EV_VRELEASE: request i's value lines are free. */
  onValueRelease(i: number, now: number): void {
    this.valBuf.release(this.tb.valLines[i]);
    if (!this.cfg.reuseKV) this.tryValloc(now);
    else this.scheduler.schedule(now);
  }

  private filterRate(D: number): Lanes | undefined {
    return this.cfg.filterAtQk ? lanes(this.cfg.hw.qkMultipliers, D) : undefined;
  }

  /**
   * Local-V top-k of request i (decided at decF[i]): one selection per query on the local engine,
   * then the filter pass. The rows reach the engine as they are decided (from rowsFrom[i] to
   * decF[i]: RTL stages 11–15 pass a head's rows one at a time), so the selections start with the
   * first row and the last row's ends no earlier than its own decision plus its selection. Sets
   * when the kept V ids start and stop leaving the engine. (The times are read from the typed
   * arrays here rather than passed: a double argument is boxed per call.)
   */
  private localTopk(i: number, r: HeadRequest): void {
    const d = this.decF[i];
    const q = Math.max(1, r.queries);
    const K = r.keys;
    const vpqFull = Math.min(r.valuesPerQuery, K);
    if (vpqFull >= K) {
      this.vidsStart[i] = this.probsEnd[i] = Math.max(d, this.localFree, this.filterFree) + 1; // bypass
      return;
    }
    const causal = r.causal && q > 1;
    const rate = this.filterRate(r.D);
    let sel = 0;
    let hid = 0;
    let filt = 0;
    let selLast = 0;
    let hidLast = 0;
    for (let j = 0; j < q; j++) {
      const seen = causal ? Math.max(1, K - q + j + 1) : K;
      const vpq = causal ? Math.max(1, Math.round((vpqFull * seen) / K)) : vpqFull;
      if (vpq >= seen) continue;
      const c = this.engine.select(seen, vpq, this.cfg.rngLocal, rate);
      sel += c.select;
      hid += c.hidden ?? 0;
      selLast = c.select;
      hidLast = c.hidden ?? 0;
      this.compares += c.compares;
      filt += c.filter;
    }
    // The selection, then the filter pass over the buffered scores (Fig. 9). The paper's engine
    // filters in a stage of its own while the selection works on the next request; the official
    // TopKDummy waits the quick-select latency, then drains, one request at a time. First rounds
    // run on the arriving scores only while the engine is idle before the first row is in. A
    // single row (generation): rowsFrom = d, and the second term never exceeds the first.
    const r0 = this.rowsFrom[i];
    const se = Math.max(Math.max(this.localFree, r0) + sel - Math.min(hid, Math.max(0, r0 - this.localFree)), d + selLast - hidLast);
    let fs = se;
    if (this.engine.pipelinedFilter) {
      fs = Math.max(se, this.filterFree);
      this.localFree = se;
    }
    const fe = fs + filt;
    if (this.engine.pipelinedFilter) this.filterFree = fe;
    else this.localFree = fe;
    this.topkLocalSelect += sel;
    this.topkLocalFilter += filt;
    this.topkLocal = this.engine.pipelinedFilter ? Math.max(this.topkLocalSelect, this.topkLocalFilter) : this.topkLocalSelect + this.topkLocalFilter;
    this.vidsStart[i] = fs + this.engine.outputLatency;
    this.probsEnd[i] = fe + this.engine.outputLatency;
  }

  /** Cascade token top-k after request i, decided at decF[i] (shares the second engine with the head top-k). */
  private tokenTopk(i: number, r: HeadRequest, now: number): void {
    const d = this.decF[i];
    this.layerDecMax = Math.max(this.layerDecMax, d);
    if (r.topk >= 0) {
      const n = r.topk > r.keys ? r.L : r.keys;
      const c = this.tokenEngine.select(n, r.topk, this.cfg.rngToken, this.filterRate(r.D));
      const ts = Math.max(this.tokFree, this.layerDecMax);
      this.tokFree = ts + c.select + c.filter;
      this.topkToken += c.select + c.filter;
      this.compares += c.compares;
      this.end = Math.max(this.end, this.tokFree);
      this.scheduler.tokenTopkDone(i, this.tokFree, now);
    }
    if (this.layerLast[i]) this.layerDecMax = 0;
  }

  /** Local-V top-k, V-id release, token top-k: strictly in request order. */
  private downstream(i: number, now: number): void {
    const r = this.reqs[i];
    this.localTopk(i, r);
    this.tokenTopk(i, r, now);
    this.downDone[i] = 1;
    if (!this.cfg.reuseKV) {
      this.vallocQ[this.vallocTail++] = i;
      const fs = this.vidsStart[i];
      if (fs > now) this.queue.push(fs, EV_VALLOC, 0);
      else this.tryValloc(now);
    }
    this.tryPV();
  }

  /** Generation: value lines are allocated in order once a request's V ids leave the filter. */
  tryValloc(now: number): void {
    const tb = this.tb;
    while (this.vallocHead < this.vallocTail) {
      const i = this.vallocQ[this.vallocHead];
      if (this.vidsStart[i] > now) return;
      if (tb.vStream[i] === null) {
        this.vEnd[i] = this.vidsStart[i];
        this.vFirst[i] = this.vidsStart[i];
        this.vallocHead++;
        this.tryPV();
        continue;
      }
      if (!this.valBuf.fits(tb.valLines[i])) {
        this.valueBufferStalls++;
        return;
      }
      this.valBuf.take(tb.valLines[i]);
      this.vallocHead++;
      // stage 16's registered allocation, then the fetcher (its issue latency is in firstLat)
      this.queue.push(now + L_ALLOC, EV_VARRIVE, i);
    }
  }

  /** prob·V in request order, once the V ids are out and the values fetched. */
  private tryPV(): void {
    const tb = this.tb;
    while (this.nextPV < this.n && this.downDone[this.nextPV] && (this.vEnd[this.nextPV] >= 0 || tb.vStream[this.nextPV] === null)) {
      const i = this.nextPV++;
      const noV = tb.vStream[i] === null;
      const first = noV ? this.vidsStart[i] : this.vFirst[i] + L_TO_ARRAY;
      const last = noV ? this.probsEnd[i] : this.vEnd[i] + L_TO_ARRAY;
      const pe = this.pv.serve(Math.max(first, this.vidsStart[i]), Math.max(last, this.probsEnd[i]), tb.pvWork[i]);
      const done = pe + tb.pvLat[i];
      this.end = Math.max(this.end, done);
      this.queue.push(pe, EV_VRELEASE, i);
      this.headTopk(i, done);
    }
  }

  /** Head top-k: after the last head of a layer whose next layer keeps fewer heads. */
  private headTopk(i: number, done: number): void {
    const keep = this.headKeep[i];
    if (keep < 0) return;
    const c = this.tokenEngine.select(this.heads[i], keep, this.cfg.rngToken);
    const ts = Math.max(this.tokFree, done);
    this.tokFree = ts + c.select + c.filter;
    this.topkHead += this.tokFree - ts;
    this.compares += c.compares;
    this.end = Math.max(this.end, this.tokFree);
  }
}

/**
 * Heads of each request's (iteration, layer) over the whole run. Requests of one layer are
 * consecutive in practice, so the counting map is touched once per run of equal keys, not per request.
 */
function headsPerLayer(reqs: readonly HeadRequest[]): Int32Array {
  const N = reqs.length;
  const count = new Map<number, number>();
  for (let i = 0; i < N; ) {
    const k = reqs[i].iteration * 4096 + reqs[i].layer;
    let j = i + 1;
    while (j < N && reqs[j].iteration * 4096 + reqs[j].layer === k) j++;
    count.set(k, (count.get(k) ?? 0) + (j - i));
    i = j;
  }
  const heads = new Int32Array(N);
  for (let i = 0; i < N; ) {
    const k = reqs[i].iteration * 4096 + reqs[i].layer;
    const h = count.get(k) ?? 0;
    let j = i;
    while (j < N && reqs[j].iteration * 4096 + reqs[j].layer === k) heads[j++] = h;
    i = j;
  }
  return heads;
}
