/**
 * The request classes of a workload for the fast path (sim/hw/prepare.ts `prepareWorkload`):
 * identical head requests grouped with their multiplicity, the request order as runs of one
 * class, and the classes grouped by their DRAM streams.
 */
import type { HeadRequest, Workload } from '../workload/types.ts';
import { requestCore } from './request-core.ts';
import { EMPTY, IndexTable } from './index-table.ts';
import { forEachRun, type GenerationPlan } from '../workload/build.ts';
import type { ReqClass } from './prepare.ts';

/** A hash of a request's class fields (collisions are told apart by `isClassOf`). */
function classHash(r: HeadRequest): number {
  let h = Math.imul(r.L ^ 0x9e3779b9, 0x85ebca6b) ^ r.queries;
  h = Math.imul(h ^ (h >>> 15) ^ r.keys, 0xcc9e2d51) ^ r.valuesFetched;
  h = Math.imul(h ^ (h >>> 13) ^ r.valuesPerQuery, 0x1b873593) ^ (r.topk + 1);
  h = Math.imul(h ^ (h >>> 16) ^ (r.keyBits * 64 + r.lsbBits), 0x85ebca6b) ^ (r.valueBits * 64 + r.queryBits);
  return (h ^ (h >>> 15) ^ (r.causal ? 1 : 0)) & 0x3fffffff;
}

/** True when request `r` belongs to class `c` (request-core.ts sameClass on the class's fields). */
function isClassOf(c: ReqClass, r: HeadRequest): boolean {
  return (
    c.L === r.L && c.q === r.queries && c.k === r.keys && c.vF === r.valuesFetched && c.vq === r.valuesPerQuery &&
    c.keyBits === r.keyBits && c.lsbBits === r.lsbBits && c.p === r.refetch && c.valueBits === r.valueBits &&
    c.queryBits === r.queryBits && c.topk === r.topk && c.causal === r.causal && c.D === r.D
  );
}

/** A class of `count` identical requests. */
function newClass(r: HeadRequest, count: number): ReqClass {
  const core = requestCore(r);
  return {
    mult: count,
    D: r.D,
    L: r.L,
    q: r.queries,
    k: r.keys,
    vF: r.valuesFetched,
    vq: r.valuesPerQuery,
    keyBits: r.keyBits,
    lsbBits: r.lsbBits,
    p: r.refetch,
    valueBits: r.valueBits,
    queryBits: r.queryBits,
    topk: r.topk,
    causal: r.causal,
    seen: core.seen,
    vRow: core.vRow,
    localV: core.localV,
    tkN: core.tkN,
    tkK: core.tkK,
    tk: undefined,
  };
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

  /** @param maxClasses at most this many classes (and runs: one class at most per run) will be added */
  constructor(maxClasses: number) {
    classTable.reset(maxClasses);
    const buf = new Int32Array(2 * maxClasses);
    this.runCls = buf.subarray(0, maxClasses);
    this.runLen = buf.subarray(maxClasses);
  }

  add(r: HeadRequest, count: number): void {
    const classes = this.classes;
    if (this.D < 0) this.D = r.D;
    else if (r.D !== this.D) throw new Error(`prepareWorkload: mixed head dimensions (${this.D}, ${r.D}); use analyticalModel`);
    // Heads of a layer are consecutive and mostly identical: skip the look-up for repeats.
    if (this.prev >= 0 && isClassOf(classes[this.prev], r)) {
      classes[this.prev].mult += count;
      this.runLen[this.runs - 1] += count;
      return;
    }
    this.prev = this.find(r, count);
    this.runCls[this.runs] = this.prev;
    this.runLen[this.runs++] = count;
  }

  /**
   * `add` for the runs of a plan (build.ts forEachRun): within an iteration the kept keys never
   * grow with depth and every iteration has its own L, so a run's class, if it exists, is one made
   * since the current iteration's keys last changed (a few classes): those are compared instead of
   * hashing the run. The same classes in the same order as `add`.
   */
  addRun(r: HeadRequest, count: number): void {
    const classes = this.classes;
    if (this.D < 0) this.D = r.D;
    if (r.iteration !== this.blockIt || r.keys !== this.blockKeys) {
      this.blockIt = r.iteration;
      this.blockKeys = r.keys;
      this.blockStart = classes.length;
    } else if (isClassOf(classes[this.prev], r)) {
      classes[this.prev].mult += count;
      this.runLen[this.runs - 1] += count;
      return;
    }
    let i = this.blockStart;
    while (i < classes.length && !isClassOf(classes[i], r)) i++;
    if (i < classes.length) classes[i].mult += count;
    else classes.push(newClass(r, count));
    this.prev = i;
    this.runCls[this.runs] = i;
    this.runLen[this.runs++] = count;
  }
  /** The first class made at the current (iteration, keys) of `addRun`, and those two. */
  private blockStart = 0;
  private blockIt = -1;
  private blockKeys = -1;

  /** The class of `r` (created when new) with `count` more requests. */
  private find(r: HeadRequest, count: number): number {
    const classes = this.classes;
    const h = classHash(r);
    for (let s = classTable.start(h); ; s = classTable.next(s)) {
      const i = classTable.at(s, h);
      if (i === EMPTY) {
        classTable.put(s, h, classes.length);
        classes.push(newClass(r, count));
        return classes.length - 1;
      }
      if (i >= 0 && isClassOf(classes[i], r)) {
        classes[i].mult += count;
        return i;
      }
    }
  }
}
/** Class and DRAM-group look-ups of `prepareWorkload` (reused: a workload is prepared at a time). */
const classTable = new IndexTable();
const groupTable = new IndexTable();

/**
 * The workload's request classes, the request order as runs of one class, and the head dimension
 * (-1 when empty); a generated workload's from its plan's runs.
 */
export function collectClasses(w: Workload, plan: GenerationPlan | undefined): { classes: ReqClass[]; D: number; runCls: Int32Array; runLen: Int32Array } {
  const col = new ClassCollector(plan ? 2 * plan.layers * plan.iterations : w.requests.length);
  if (plan) forEachRun(plan, (r, count) => col.addRun(r, count));
  else for (const r of w.requests) col.add(r, 1);
  return { classes: col.classes, D: col.D, runCls: col.runCls.subarray(0, col.runs), runLen: col.runLen.subarray(0, col.runs) };
}

/** True when two classes have the same DRAM streams (dram-cost.ts requestDramCost and their bytes). */
function sameDram(a: ReqClass, b: ReqClass): boolean {
  return (
    a.L === b.L && a.k === b.k && a.q === b.q && a.vF === b.vF && a.D === b.D && a.keyBits === b.keyBits && a.lsbBits === b.lsbBits &&
    a.valueBits === b.valueBits && a.queryBits === b.queryBits && a.p === b.p && a.causal === b.causal && a.seen === b.seen
  );
}

/**
 * The classes grouped by their DRAM streams (a group's costs are priced once per design).
 * `fromPlan`: the classes of a plan (`collectClasses`), in which those of one (L, keys) are
 * consecutive (`ClassCollector.addRun`): a class's group, if it has one already, is that of one of
 * the classes just before it with its L and keys, and no hashing is needed.
 */
export function dramGroups(classes: ReqClass[], fromPlan: boolean): { dramGroup: Int32Array; dramReps: Int32Array } {
  // each class's group, then the groups' first classes (at most one a class), on one buffer
  const buf = new Int32Array(2 * classes.length);
  const group = buf.subarray(0, classes.length);
  const reps = buf.subarray(classes.length);
  let G = 0;
  if (!fromPlan) groupTable.reset(classes.length);
  for (let i = 0; i < classes.length; i++) {
    const c = classes[i];
    // a layer's last head (token top-k) and its other heads: same streams, consecutive classes
    if (i > 0 && sameDram(classes[i - 1], c)) {
      group[i] = group[i - 1];
      continue;
    }
    if (fromPlan) {
      let j = i - 2;
      while (j >= 0 && classes[j].L === c.L && classes[j].k === c.k && !sameDram(classes[j], c)) j--;
      if (j >= 0 && classes[j].L === c.L && classes[j].k === c.k) group[i] = group[j];
      else {
        group[i] = G;
        reps[G++] = i;
      }
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
