/**
 * Stable JSON: the same text for the same value whatever the order its objects were built in.
 * Its own module (no node:crypto), so code on a command's start-up path (dse/evaluate.ts under
 * `simulate`) can build keys with it without loading the journal's hashing.
 */
/** JSON with object keys sorted at every level (arrays keep their order); NaN/±∞ → strings. */
export function stableStringify(value: unknown): string {
  const norm = (v: unknown): unknown => {
    if (typeof v === 'number') return Number.isFinite(v) ? (Object.is(v, -0) ? 0 : v) : String(v);
    if (v === null || typeof v !== 'object') return v;
    if (Array.isArray(v)) return v.map(norm);
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v as Record<string, unknown>).sort()) {
      const x = (v as Record<string, unknown>)[k];
      if (x !== undefined) out[k] = norm(x);
    }
    return out;
  };
  return JSON.stringify(norm(value));
}
