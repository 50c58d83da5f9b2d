/**
 * "Did you mean …?" for unknown keys, parameters, metrics and commands: the closest candidate by
 * edit distance (Damerau: a swap of two neighbours counts once), case-insensitive, when it is
 * close enough to be a plausible typo (at most a third of the word, and at most 3 edits).
 */

/** Optimal-string-alignment distance (Levenshtein plus adjacent transpositions). */
export function editDistance(a: string, b: string): number {
  const m = a.length;
  const n = b.length;
  const d: number[][] = Array.from({ length: m + 1 }, (_, i) => Array.from({ length: n + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= m; i++) {
    for (let j = 1; j <= n; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[m][n];
}

/** The candidate closest to `word`, or undefined when none is a plausible typo of it. */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  const w = word.toLowerCase();
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    // the distance is at least the difference in length, and a typo is at most 3 edits: a much
    // longer word (a 1 MB value in a space file) is compared with none
    const lc = c.toLowerCase();
    if (Math.abs(lc.length - w.length) > 3) continue;
    const dist = editDistance(w, lc);
    if (dist < bestD) {
      bestD = dist;
      best = c;
    }
  }
  const limit = Math.min(3, Math.max(1, Math.floor(word.length / 3)));
  return best !== undefined && bestD <= limit ? best : undefined;
}

/**
 * The candidate that `word` spells out in full (a choice written longer than its short form:
 * "minimize" or "Maximum" for min / max): one of ≥ 3 characters that opens a word of ≤ 12.
 */
export function shortFormOf(word: string, candidates: readonly string[]): string | undefined {
  const w = word.toLowerCase();
  if (w.length > 12) return undefined;
  return candidates.find((c) => c.length >= 3 && c.length < w.length && w.startsWith(c.toLowerCase()));
}

/** ` (did you mean "x"?)` or '' — to append to an "unknown …" message. */
export function didYouMean(word: string, candidates: readonly string[]): string {
  const c = closest(word, candidates);
  return c ? ` (did you mean "${c}"?)` : '';
}
