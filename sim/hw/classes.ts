/**
 * The request classes of a workload for the fast path (sim/hw/prepare.ts `prepareWorkload`):
 * identical head requests grouped with their multiplicity, the request order as runs of one
 * class, and the classes grouped by their DRAM streams.
 */
import type { HeadRequest, Workload } from '../workload/types.ts';
import { classCore, gatedLayerHeads } from './request-core.ts';
import { EMPTY, IndexTable } from './index-table.ts';
import { aliveAt, type GenerationPlan } from '../workload/build.ts';
import { keepCount } from '../workload/schedule.ts';
import type { ReqClass } from './prepare.ts';

/** A hash of a request's class fields (collisions are told apart by `isClassOf`). */
function classHash(r: HeadRequest, topk: number): number {
  let h = Math.imul(r.L ^ 0x9e3779b9, 0x85ebca6b) ^ r.queries;
  h = Math.imul(h ^ (h >>> 15) ^ r.keys, 0xcc9e2d51) ^ r.valuesFetched;
  h = Math.imul(h ^ (h >>> 13) ^ r.valuesPerQuery, 0x1b873593) ^ (topk + 1);
  h = Math.imul(h ^ (h >>> 16) ^ (r.keyBits * 64 + r.lsbBits), 0x85ebca6b) ^ (r.valueBits * 64 + r.queryBits);
  return (h ^ (h >>> 15) ^ (r.causal ? 1 : 0)) & 0x3fffffff;
}

/** True when request `r` belongs to class `c` (request-core.ts sameClass on the class's fields). */
function isClassOf(c: ReqClass, r: HeadRequest, topk: number): boolean {
  return (
    c.L === r.L && c.q === r.queries && c.k === r.keys && c.vF === r.valuesFetched && c.vq === r.valuesPerQuery &&
    c.keyBits === r.keyBits && c.lsbBits === r.lsbBits && c.p === r.refetch && c.valueBits === r.valueBits &&
    c.queryBits === r.queryBits && c.topk === topk && c.causal === r.causal && c.D === r.D
  );
}

/** A class of `count` identical requests (`topk`: theirs, or −1 when their token top-k is kept apart). */
function newClass(r: HeadRequest, count: number, topk: number): ReqClass {
  return new ClassRecord(count, r.D, r.L, r.queries, r.keys, r.valuesFetched, r.valuesPerQuery, r.keyBits, r.lsbBits, r.refetch, r.valueBits, r.queryBits, topk, r.causal);
}

/** The class record's fields are ReqClass's (declaration merging: not restated below). */
interface ClassRecord extends ReqClass {}

/**
 * A class's fields, made by a constructor rather than an object literal. V8 tracks a literal's
 * allocation site: once most objects of a site outlive a young-generation collection (a workload
 * prepared once and evaluated on many designs keeps its ~1,200 classes), it allocates the site's
 * later objects in the old generation ("pretenuring"), and a sweep that prepares a workload every
 * point then leaves each point's classes to full collections: after 5 s of distinct designs, new
 * algorithm points ran at ~0.6× their rate in a fresh process (--no-allocation-site-pretenuring
 * restored it). Objects made by `new` are not pretenured that way. The fields are assigned in one
 * order (one hidden class); request-core.ts classCore gives the derived ones.
 */
class ClassRecord {
  constructor(count: number, D: number, L: number, q: number, k: number, vF: number, vq: number, keyBits: number, lsbBits: number, p: number, valueBits: number, queryBits: number, topk: number, causal: boolean) {
    const core = classCore(q, k, vq, causal);
    this.mult = count;
    this.D = D;
    this.L = L;
    this.q = q;
    this.k = k;
    this.vF = vF;
    this.vq = vq;
    this.keyBits = keyBits;
    this.lsbBits = lsbBits;
    this.p = p;
    this.valueBits = valueBits;
    this.queryBits = queryBits;
    this.topk = topk;
    this.causal = causal;
    this.seen = core.seen;
    this.vRow = core.vRow;
    this.localV = core.localV;
    this.tkN = core.tkN;
    this.tkK = core.tkK;
    this.tk = undefined;
  }
}

/**
 * Groups requests into classes (identical cost-relevant fields, with multiplicity, in order of
 * first appearance); requests may come one by one or as runs of identical ones.
 */
class ClassCollector {
  readonly classes: ReqClass[] = [];
  /** The request order as runs of consecutive requests of one class: each run's class and length. */
  readonly runCls: Int32Array;
  readonly runLen: Int32Array;
  /** Runs so far (in runCls, runLen). */
  runs = 0;
  D = -1;
  private prev = -1;
  /** Token top-k kept apart from the classes (`apart`): (scores, kept, heads) triples in request order. */
  readonly tokens: TokenTopk;

  /**
   * @param maxClasses at most this many classes (and runs: one class at most per run) will be added
   * @param apart the token top-k kept apart (generation): classes with topk −1, the top-k in `tokens`
   */
  constructor(maxClasses: number, private readonly apart: boolean) {
    classTable.reset(maxClasses);
    const buf = new Int32Array(2 * maxClasses);
    this.runCls = buf.subarray(0, maxClasses);
    this.runLen = buf.subarray(maxClasses);
    this.tokens = new TokenTopk(apart ? maxClasses : 0);
  }

  add(r: HeadRequest, count: number): void {
    const classes = this.classes;
    if (this.D < 0) this.D = r.D;
    else if (r.D !== this.D) throw new Error(`prepareWorkload: mixed head dimensions (${this.D}, ${r.D}); use analyticalModel`);
    let topk = r.topk;
    if (this.apart && topk >= 0) {
      this.tokens.add(r.L, r.keys, topk, count);
      topk = -1;
    }
    // Heads of a layer are consecutive and mostly identical: skip the look-up for repeats.
    if (this.prev >= 0 && isClassOf(classes[this.prev], r, topk)) {
      classes[this.prev].mult += count;
      this.runLen[this.runs - 1] += count;
      return;
    }
    this.prev = this.find(r, count, topk);
    this.runCls[this.runs] = this.prev;
    this.runLen[this.runs++] = count;
  }

  /** The class of `r` (its token top-k `topk`; created when new) with `count` more requests. */
  private find(r: HeadRequest, count: number, topk: number): number {
    const classes = this.classes;
    const h = classHash(r, topk);
    for (let s = classTable.start(h); ; s = classTable.next(s)) {
      const i = classTable.at(s, h);
      if (i === EMPTY) {
        classTable.put(s, h, classes.length);
        classes.push(newClass(r, count, topk));
        return classes.length - 1;
      }
      if (i >= 0 && isClassOf(classes[i], r, topk)) {
        classes[i].mult += count;
        return i;
      }
    }
  }
}
/** Class and DRAM-group look-ups of `prepareWorkload` (reused: a workload is prepared at a time). */
const classTable = new IndexTable();
const groupTable = new IndexTable();

/** Triples of numbers in the order they are added, on one buffer. */
class Triples {
  private readonly buf: Float64Array;
  count = 0;
  constructor(max: number) {
    this.buf = new Float64Array(3 * max);
  }
  protected push(a: number, b: number, c: number): void {
    const j = 3 * this.count++;
    this.buf[j] = a;
    this.buf[j + 1] = b;
    this.buf[j + 2] = c;
  }
  /** The triples added. */
  done(): Float64Array {
    return this.buf.subarray(0, 3 * this.count);
  }
}

/**
 * A generation workload's token top-k, kept apart from its classes: a layer's last head differs
 * from its other heads only in its top-k, so with the top-k apart they are one class (half the
 * classes of a pruned gpt2-medium generation workload, each summed and priced per design). Per
 * top-k in request order: the scores it selects from (`n`: the keys, or L when it keeps more:
 * reference.ts), the kept `k`, and its heads `m`, as triples.
 */
export class TokenTopk extends Triples {
  add(L: number, keys: number, topk: number, heads: number): void {
    this.push(topk > keys ? Math.max(L, keys) : keys, topk, heads);
  }
}

/**
 * The gated heads of a workload (a token top-k the next layer waits for with hw.gateTokenTopk,
 * finalize.ts gatedGeneration): per run of them in request order, its class, the heads of its
 * layer and its heads, as triples.
 */
export class GatedHeads extends Triples {
  add(cls: number, layerHeads: number, heads: number): void {
    this.push(cls, layerHeads, heads);
  }
}

/** The gated heads of a request list whose classes are `runCls`/`runLen` in request order (`GatedHeads`). */
function gatedOfList(reqs: readonly HeadRequest[], runCls: Int32Array, runLen: Int32Array): Float64Array {
  const out = new GatedHeads(reqs.length);
  let run = 0;
  let used = 0;
  for (let i = 0; i < reqs.length; ) {
    let j = i;
    while (j < reqs.length && reqs[j].iteration === reqs[i].iteration && reqs[j].layer === reqs[i].layer) j++;
    for (let ri = i; ri < j; ri++) {
      if (reqs[ri].topk >= 0) out.add(runCls[run], j - i, 1);
      if (++used === runLen[run]) {
        run++;
        used = 0;
      }
    }
    i = j;
  }
  return out.done();
}

/** The classes of a workload, the request order as runs of one class, the head dimension (-1 when empty), and the token top-k kept apart (generation). */
export interface Classes {
  classes: ReqClass[];
  D: number;
  runCls: Int32Array;
  runLen: Int32Array;
  tokens: Float64Array;
  /** Σ over the requests with a token top-k of the heads of their layer (request-core.ts gatedLayerHeads). */
  gateLayerHeads: number;
  /** (class, heads of its layer, heads) of the gated heads (`GatedHeads`). */
  gated: Float64Array;
}

/** The request classes of a workload's request list (`planClasses` for a plan's). */
export function collectClasses(w: Workload): Classes {
  const col = new ClassCollector(w.requests.length, !w.reuseKV);
  for (const r of w.requests) col.add(r, 1);
  const runCls = col.runCls.subarray(0, col.runs);
  const runLen = col.runLen.subarray(0, col.runs);
  return { classes: col.classes, D: col.D, runCls, runLen, tokens: col.tokens.done(), gateLayerHeads: gatedLayerHeads(w.requests), gated: gatedOfList(w.requests, runCls, runLen) };
}

/**
 * The classes of a generated workload from its plan (the runs of build.ts forEachRun, without
 * making them), grouped by their DRAM streams as `dramGroups` does: the same classes, runs and
 * groups, in the same order, as `collectClasses` and `dramGroups` on its request list. Within an
 * iteration the kept keys never grow with depth and every iteration has its own L, so a run's
 * class, if it exists, is one made since the current iteration's keys last changed (a block of a
 * few classes, with one L, keys, queries, widths and head dimension): a run is compared with those
 * on the fields that vary within a block (values fetched and kept, refetch, token top-k), and a
 * new class's DRAM group, if it has one already, is that of a class of its block with its values
 * fetched and refetch (the other fields of its streams are the block's).
 */
export function planClasses(plan: GenerationPlan): Classes & { dramGroup: Int32Array; dramReps: Int32Array } {
  const { layers, generation } = plan;
  const max = 2 * layers * plan.iterations;
  const buf = new Int32Array(4 * max); // runs' classes and lengths, classes' groups, groups' first classes
  const runCls = buf.subarray(0, max);
  const runLen = buf.subarray(max, 2 * max);
  const group = buf.subarray(2 * max, 3 * max);
  const reps = buf.subarray(3 * max);
  const classes: ReqClass[] = [];
  const causal = !plan.encoder && !generation;
  const tokens = new TokenTopk(generation ? max : 0);
  const gated = new GatedHeads(max);
  const alive = new Array<number>(layers);
  let runs = 0;
  let G = 0;
  let gateLayerHeads = 0;
  for (let it = 0; it < plan.iterations; it++) {
    const L = aliveAt(plan, it, alive);
    let blockKeys = -1;
    let blockStart = 0;
    let prev = -1;
    for (let l = 0; l < layers; l++) {
      const keys = alive[l];
      const vq = keepCount(keys, plan.valueKeep[l]);
      const next = l + 1 < layers ? alive[l + 1] : -1;
      const h = plan.headsAt[l];
      const q = generation ? 1 : keys;
      const vF = generation ? vq : keys;
      const p = plan.refetch[l];
      if (keys !== blockKeys) {
        blockKeys = keys;
        blockStart = classes.length;
        prev = -1;
      }
      // heads 0 … h−2 (no token top-k), then head h−1 (the cascade top-k when the next layer keeps fewer keys)
      for (let run = h > 1 ? 0 : 1; run < 2; run++) {
        let topk = run === 0 ? -1 : next >= 0 && next < keys ? next : -1;
        const count = run === 0 ? h - 1 : 1;
        const gate = topk >= 0;
        if (gate) gateLayerHeads += count * h;
        if (generation && topk >= 0) {
          tokens.add(L, keys, topk, count);
          topk = -1;
        }
        if (prev >= 0 && sameInBlock(classes[prev], vF, vq, p, topk)) {
          classes[prev].mult += count;
          runLen[runs - 1] += count;
          if (gate) gated.add(prev, h, count);
          continue;
        }
        let i = blockStart;
        while (i < classes.length && !sameInBlock(classes[i], vF, vq, p, topk)) i++;
        if (i < classes.length) classes[i].mult += count;
        else {
          classes.push(new ClassRecord(count, plan.D, L, q, keys, vF, vq, plan.keyBits, plan.lsbBits, p, plan.valueBits, plan.queryBits, topk, causal));
          let j = i - 1;
          while (j >= blockStart && !(classes[j].vF === vF && classes[j].p === p)) j--;
          if (j >= blockStart) group[i] = group[j];
          else {
            group[i] = G;
            reps[G++] = i;
          }
        }
        prev = i;
        runCls[runs] = i;
        runLen[runs++] = count;
        if (gate) gated.add(i, h, count);
      }
    }
  }
  const C = classes.length;
  return { classes, D: C > 0 ? plan.D : -1, runCls: runCls.subarray(0, runs), runLen: runLen.subarray(0, runs), tokens: tokens.done(), gateLayerHeads, gated: gated.done(), dramGroup: group.subarray(0, C), dramReps: reps.subarray(0, G) };
}

/** True when class `c` has these fields (the others are its block's: `planClasses`). */
function sameInBlock(c: ReqClass, vF: number, vq: number, p: number, topk: number): boolean {
  return c.vF === vF && c.vq === vq && c.p === p && c.topk === topk;
}

/** True when two classes have the same DRAM streams (dram-cost.ts requestDramCost and their bytes). */
function sameDram(a: ReqClass, b: ReqClass): boolean {
  return (
    a.L === b.L && a.k === b.k && a.q === b.q && a.vF === b.vF && a.D === b.D && a.keyBits === b.keyBits && a.lsbBits === b.lsbBits &&
    a.valueBits === b.valueBits && a.queryBits === b.queryBits && a.p === b.p && a.causal === b.causal && a.seen === b.seen
  );
}

/** The classes of a request list grouped by their DRAM streams (a group's costs are priced once per design; `planClasses` groups a plan's). */
export function dramGroups(classes: ReqClass[]): { dramGroup: Int32Array; dramReps: Int32Array } {
  // each class's group, then the groups' first classes (at most one a class), on one buffer
  const buf = new Int32Array(2 * classes.length);
  const group = buf.subarray(0, classes.length);
  const reps = buf.subarray(classes.length);
  let G = 0;
  groupTable.reset(classes.length);
  for (let i = 0; i < classes.length; i++) {
    const c = classes[i];
    // a layer's last head (token top-k) and its other heads: same streams, consecutive classes
    if (i > 0 && sameDram(classes[i - 1], c)) {
      group[i] = group[i - 1];
      continue;
    }
    const h = (Math.imul(c.L ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(c.k, 0xcc9e2d51) ^ Math.imul(c.vF + 7, 0x1b873593) ^ c.keyBits) & 0x3fffffff;
    for (let s = groupTable.start(h); ; s = groupTable.next(s)) {
      const g = groupTable.at(s, h);
      if (g === EMPTY) {
        groupTable.put(s, h, G);
        group[i] = G;
        reps[G++] = i;
        break;
      }
      if (g >= 0 && sameDram(classes[reps[g]], c)) {
        group[i] = g;
        break;
      }
    }
  }
  return { dramGroup: group, dramReps: reps.subarray(0, G) };
}
