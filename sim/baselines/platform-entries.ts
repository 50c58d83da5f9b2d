/**
 * The shape of a sim/baselines/platforms.json entry, checked when the data loads. Two kinds:
 *  - a platform the paper measured: `anchors` (§5.1 / Fig. 2 numbers) calibrate its fixed kernel
 *    costs, reached bandwidth and dynamic power (sim/baselines/platforms.ts);
 *  - a platform priced from its datasheet: `like` names an anchored platform of the same kind
 *    (the same PyTorch software stack) whose fitted t_op, t_mm and reached-bandwidth fraction it
 *    borrows, and `dynamicPowerW` gives its own cited dynamic power. Nothing is fitted on it.
 * Pure: every refusal names the platform and the field.
 */

export interface Cited {
  value: number;
  source: string;
}

export interface Anchors {
  attentionLatencyS: Cited;
  speedupGeomean: Cited;
  energySavingGeomean: Cited;
  matmulShare?: Cited;
}

export interface PlatformEntry {
  name: string;
  kind: 'gpu' | 'cpu';
  peakFlops: Cited;
  bandwidth: Cited;
  tdpW?: Cited;
  anchors?: Anchors;
  like?: string;
  dynamicPowerW?: Cited;
  checks?: Record<string, Cited>;
}

const FILE = 'sim/baselines/platforms.json';

function cited(where: string, v: unknown): Cited {
  const c = v as Partial<Cited> | undefined;
  if (c === undefined || c === null || typeof c !== 'object') throw new Error(`${where} is missing (give { "value": …, "source": "…" })`);
  if (typeof c.value !== 'number' || !Number.isFinite(c.value) || c.value <= 0) throw new Error(`${where}.value must be a positive number (got ${JSON.stringify(c.value)})`);
  if (typeof c.source !== 'string' || c.source.trim() === '') throw new Error(`${where}.source must cite where the number comes from`);
  return c as Cited;
}

function checkAnchors(where: string, a: unknown): void {
  if (a === null || typeof a !== 'object') throw new Error(`${where}.anchors must be an object`);
  for (const f of ['attentionLatencyS', 'speedupGeomean', 'energySavingGeomean'] as const) cited(`${where}: "anchors.${f}"`, (a as Record<string, unknown>)[f]);
}

/** One entry's own fields; `like` is resolved against the other entries by checkPlatformEntries. */
function checkEntry(id: string, raw: unknown): PlatformEntry {
  const where = `${FILE}: platform ${id}`;
  if (raw === null || typeof raw !== 'object') throw new Error(`${where} must be an object`);
  const e = raw as Record<string, unknown>;
  if (typeof e.name !== 'string' || e.name.trim() === '') throw new Error(`${where}: "name" must be a non-empty string`);
  if (e.kind !== 'gpu' && e.kind !== 'cpu') throw new Error(`${where}: "kind" must be "gpu" or "cpu" (got ${JSON.stringify(e.kind)})`);
  cited(`${where}: "peakFlops"`, e.peakFlops);
  cited(`${where}: "bandwidth"`, e.bandwidth);
  if (e.tdpW !== undefined) cited(`${where}: "tdpW"`, e.tdpW);
  const hasAnchors = e.anchors !== undefined, hasLike = e.like !== undefined;
  if (hasAnchors && hasLike) throw new Error(`${where}: gives both "anchors" and "like" — "anchors" calibrate it on the paper's own numbers, "like" prices it from its datasheet; keep one`);
  if (!hasAnchors && !hasLike) throw new Error(`${where}: needs "anchors" (a platform the paper measured) or "like" with a cited "dynamicPowerW" (a platform priced from its datasheet)`);
  if (hasAnchors) {
    checkAnchors(where, e.anchors);
    if (e.dynamicPowerW !== undefined) throw new Error(`${where}: "dynamicPowerW" is for a platform priced from its datasheet ("like"); an anchored platform's power follows from §5.1's energy saving / speedup`);
  } else {
    if (typeof e.like !== 'string') throw new Error(`${where}: "like" must be a platform name (got ${JSON.stringify(e.like)})`);
    cited(`${where}: "dynamicPowerW"`, e.dynamicPowerW);
  }
  return e as unknown as PlatformEntry;
}

/**
 * Checks every entry of platforms.json's `platforms` against `names` (PLATFORM_NAMES) and returns
 * them typed; throws on the first problem, naming the platform and the field.
 */
export function checkPlatformEntries(raw: Record<string, unknown>, names: readonly string[]): Record<string, PlatformEntry> {
  const out: Record<string, PlatformEntry> = {};
  for (const [id, e] of Object.entries(raw)) out[id] = checkEntry(id, e);
  const anchored = Object.keys(out).filter((id) => out[id].anchors);
  for (const [id, e] of Object.entries(out)) {
    if (e.like === undefined) continue;
    const like = out[e.like];
    if (!like?.anchors) throw new Error(`${FILE}: platform ${id}: "like" must name a platform with the paper's anchors (${anchored.join(', ')}); got "${e.like}"`);
    if (like.kind !== e.kind) throw new Error(`${FILE}: platform ${id}: "like" names ${e.like}, a ${like.kind}, but ${id} is a ${e.kind} — a platform borrows the fixed kernel costs of the same kind of software stack`);
  }
  const extra = Object.keys(out).filter((id) => !names.includes(id));
  if (extra.length) throw new Error(`${FILE}: platform ${extra.join(', ')} is not in PLATFORM_NAMES (sim/baselines/platforms.ts): add it there too`);
  const missing = names.filter((n) => !(n in out));
  if (missing.length) throw new Error(`${FILE}: PLATFORM_NAMES lists ${missing.join(', ')} without an entry`);
  // the GPU calibration every other platform refers to (Fig. 2's GEMM share)
  cited(`${FILE}: platform titan-xp: "anchors.matmulShare"`, out['titan-xp'].anchors?.matmulShare);
  return out;
}
