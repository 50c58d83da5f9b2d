/**
 * How one load of a space file reports the problems of every check stage (dse/space.ts
 * `parseSpace`: the schema, then the parameters, objectives, constraints and charts, then what
 * needs all of those) instead of the first stage's alone. A later stage checks what the earlier
 * ones left valid:
 * - the schema's problems are left out of the file (`leaveOut`): a field of a block (`hardware`,
 *   `parameters`, …) alone, an item of a list (`objectives`, `constraints`, `report`) alone — the
 *   others keep their place in the messages (`Kept`) — anything else as a whole top-level key;
 * - a check that reads a value left out, or one a stage found a problem in (`Tainted`), is skipped:
 *   it would judge a default the file does not give (a misspelt driver read as grid, a missing
 *   accuracy block). Its problems show once the earlier ones are fixed.
 */
import type * as z from '../core/zod.ts';
import type { Issue } from './space-checks.ts';
import type { ZodIssue } from './params.ts';

export type Path = (string | number)[];

/** Top-level blocks of optional fields: a field with a problem is left out alone. */
const FIELD_BLOCKS = new Set(['hardware', 'algo', 'workload', 'search', 'accuracy', 'cycle', 'parameters']);

/** The file with the schema's problems left out. */
export interface LeftOut {
  raw: Record<string, unknown>;
  /** Paths left out: a block's field (`['hardware', 'x']`) or a top-level key (`['report']`). */
  left: Path[];
  /** For a list some of whose items were left out: the file's index of each item kept. */
  kept: Map<string, number[]>;
}

const isMap = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** The paths an issue is about: an unknown key's own path for each key. */
function issuePaths(i: ZodIssue): Path[] {
  const at = i.path as Path;
  return i.code === 'unrecognized_keys' ? i.keys.map((k) => [...at, k]) : [at];
}

/**
 * `raw` without the values the schema refused (`issues`): each item of a list in `items` that its
 * schema refuses; for an issue under a field block, that field; else its top-level key (`name`,
 * which no later check reads, becomes a valid placeholder instead, being required). `whole`: leave
 * out every top-level key an issue is under (a block that lost a required field).
 */
export function leaveOut(raw: Record<string, unknown>, issues: ZodIssue[], items: Record<string, z.ZodType>, whole = false, from?: LeftOut): LeftOut {
  const out: Record<string, unknown> = { ...raw };
  const left: Path[] = [...(from?.left ?? [])];
  const kept = new Map(from?.kept ?? []);
  for (const [list, schema] of Object.entries(items)) {
    const v = out[list];
    if (!Array.isArray(v)) continue;
    const ok = v.flatMap((item, i) => (schema.safeParse(item).success ? [i] : []));
    if (ok.length === v.length) continue;
    out[list] = ok.map((i) => v[i]);
    const before = kept.get(list);
    kept.set(list, before ? ok.map((i) => before[i]) : ok);
  }
  const drop = (p: Path) => {
    if (!left.some((l) => isPrefix(l, p))) left.push(p);
  };
  for (const i of issues) {
    for (const p of issuePaths(i)) {
      const top = p[0];
      if (typeof top !== 'string') continue;
      // a list's items were checked one by one above (a list of charts fails as a union, at the list)
      if (!whole && Object.hasOwn(items, top) && Array.isArray(raw[top])) continue;
      if (top === 'name') {
        out.name = 'space';
        drop(['name']);
      } else if (!whole && FIELD_BLOCKS.has(top) && p.length >= 2 && isMap(out[top])) {
        const block = { ...(out[top] as Record<string, unknown>) };
        delete block[p[1] as string];
        out[top] = block;
        drop([top, p[1]]);
      } else {
        delete out[top];
        drop([top]);
      }
    }
  }
  return { raw: out, left, kept };
}

/** True when `a` is `b` or a path above it. */
export function isPrefix(a: Path, b: Path): boolean {
  return a.length <= b.length && a.every((x, i) => x === b[i]);
}

/** Paths of values left out or found wrong: a check that reads one of them (or a value above or below one) is skipped. */
export class Tainted {
  private readonly paths: Path[];
  constructor(paths: Path[]) {
    this.paths = [...paths];
  }

  /** True when a check reading `reads` would read a tainted value. */
  touches(reads: Path[]): boolean {
    return reads.some((r) => this.paths.some((t) => isPrefix(t, r) || isPrefix(r, t)));
  }

  /**
   * Adds the problems of a stage (their paths cut to the field they are about: `['parameters',
   * 'hw.x']`, `['workload', 'model']`). A list's item is left out of the later checks by the check
   * itself (a constraint that does not parse is not used), so it taints nothing.
   */
  add(issues: Issue[], lists: Iterable<string>): void {
    const skip = new Set(lists);
    for (const i of issues) if (!(skip.has(String(i.path[0])) && typeof i.path[1] === 'number')) this.paths.push(i.path.slice(0, 2));
  }
}

/**
 * The later stages' issues as the file places them: an index into a list some of whose items were
 * left out becomes the file's index; an issue about a block a part of which was left out (an empty
 * `parameters` when every parameter had a problem) is dropped, its cause being named already.
 */
export function inFile(issues: Issue[], l: LeftOut): Issue[] {
  return issues
    .filter((i) => !l.left.some((p) => p.length > i.path.length && isPrefix(i.path, p)))
    .map((i) => {
      const kept = l.kept.get(String(i.path[0]));
      return kept && typeof i.path[1] === 'number' ? { ...i, path: [i.path[0], kept[i.path[1]], ...i.path.slice(2)] } : i;
    });
}
