/**
 * Problems of a space file as the user reads them: zod's issues turned into messages that name the
 * bad value, the allowed ones and a did-you-mean (`issueMessages`), located at file:line:col of the
 * YAML (`fail`). dse/space.ts checks, this module words and locates.
 */
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, Scalar, visit, type Document, type Node as YamlNode } from 'yaml';
import { echoed, visible } from './cli-util.ts';
import { InputError } from './errors.ts';
import type { Issue } from './space-checks.ts';
import { didYouMean } from '../core/suggest.ts';
import { yamlLineBreaks } from './space-text.ts';
import { allowedValues, nonFiniteMessage, typeWord, valueMessage, type ZodIssue } from './params.ts';

/** The keys allowed at a path of the file (for "did you mean"). */
export type KnownKeys = (path: (string | number)[]) => string[];

/** The raw value at a path of the parsed YAML. */
export function valueAt(raw: unknown, path: (string | number)[]): unknown {
  let v = raw;
  for (const p of path) v = v !== null && typeof v === 'object' ? (v as Record<string | number, unknown>)[p] : undefined;
  return v;
}

/** Locate a field path in the YAML document: "line:col" of the deepest node that exists. */
export function locate(doc: Document, lc: LineCounter, path: (string | number)[], atKey = false): string {
  for (let k = path.length; k >= 0; k--) {
    const node = doc.getIn(path.slice(0, k), true) as YamlNode | undefined;
    if (node && node.range) {
      // For a map key, point at the key itself rather than at its value.
      let off = node.range[0];
      if (atKey && k > 0 && k === path.length) {
        const parent = k === 1 ? doc.contents : (doc.getIn(path.slice(0, k - 1), true) as YamlNode | undefined);
        if (parent && isMap(parent)) {
          const pair = parent.items.find((p) => (p.key as { value?: unknown } | null)?.value === path[k - 1]);
          const kr = (pair?.key as YamlNode | undefined)?.range;
          if (kr) off = kr[0];
        }
      }
      const p = lc.linePos(off);
      return `${p.line}:${p.col}`;
    }
  }
  return '1:1';
}

/** "line:col" of a field path in a space file's YAML text (see `locate`). */
export function locateIn(text: string, path: (string | number)[]): string {
  const lc = new LineCounter();
  return locate(parseDocument(yamlLineBreaks(text), { lineCounter: lc }), lc, path);
}

/**
 * The merge keys of a document (`<<: *defaults`, YAML 1.1), each as a problem at its key. The space
 * is read as YAML 1.2, where `<<` is an ordinary key: the schema refused it as `unknown key "<<"`
 * and, in a report chart, also reported the fields it was meant to bring as missing. A quoted
 * "<<" is an ordinary key and is left to the schema.
 */
export function mergeKeyIssues(doc: Document): Issue[] {
  const out: Issue[] = [];
  visit(doc, {
    Pair(_k, pair, ancestors) {
      if (!isScalar(pair.key) || pair.key.value !== '<<' || pair.key.type !== Scalar.PLAIN) return;
      const path: (string | number)[] = [];
      ancestors.forEach((a, i) => {
        if (isPair(a)) path.push(String(isScalar(a.key) ? a.key.value : a.key));
        else if (isSeq(a)) path.push(a.items.indexOf(ancestors[i + 1] ?? pair));
      });
      out.push({ path: [...path, '<<'], message: 'YAML merge keys ("<<: *anchor") are not supported: write the fields out in this mapping (an alias of a whole value, "key: *anchor", is supported)', atKey: true });
    },
  });
  return out;
}

function formatPath(path: (string | number)[]): string {
  let s = '';
  for (const p of path) s += typeof p === 'number' ? `[${p}]` : s ? `.${visible(p)}` : visible(p);
  return s || '(root)';
}

/**
 * Throws the InputError of a space file's problems: one line each, `file:line:col: field: message`,
 * ordered by line and column (the stages that found them checked the file in another order), the
 * first MAX_PROBLEMS (12) and how many more (`problemLines`).
 */
export function fail(file: string, doc: Document, lc: LineCounter, issues: Issue[]): never {
  const located = issues.map((i) => {
    const at = locate(doc, lc, i.path, i.atKey);
    const [line, col] = at.split(':').map(Number);
    return { line, col, text: `${file}:${at}: ${formatPath(i.path)}: ${i.message}` };
  });
  throw new InputError(problemLines(located));
}

/** Problems shown in one error at most (then how many more). */
export const MAX_PROBLEMS = 12;

/**
 * Located problems of a file as one error's text: one line each, ordered by line and column,
 * each text once, the first MAX_PROBLEMS and how many more.
 */
export function problemLines(located: { line: number; col: number; text: string }[]): string {
  const lines = [...new Set([...located].sort((a, b) => a.line - b.line || a.col - b.col).map((l) => l.text))];
  const shown = lines.slice(0, MAX_PROBLEMS);
  if (lines.length > MAX_PROBLEMS) shown.push(`… and ${lines.length - MAX_PROBLEMS} more`);
  return shown.join('\n');
}

/** True when a union branch fails on the value's type itself (the value is not of that branch's kind). */
function wrongKind(branch: ZodIssue[]): boolean {
  return branch.some((i) => i.path.length === 0 && (i.code === 'invalid_type' || (i.code === 'invalid_union' && i.errors.every(wrongKind))));
}

/** The types a union accepts, from its branches' type errors (number, string, boolean). */
function unionTypes(errors: ZodIssue[][]): string[] {
  return [...new Set(errors.flat().flatMap((i) => (i.code === 'invalid_type' ? [i.expected] : i.code === 'invalid_union' ? unionTypes(i.errors) : [])))];
}

/** "a, b or c". */
const orList = (xs: string[]) => (xs.length > 1 ? `${xs.slice(0, -1).join(', ')} or ${xs.at(-1)}` : (xs[0] ?? 'another value'));

/** Problems in a union branch's issues, each unknown key counted. */
const problems = (branch: ZodIssue[]) => branch.reduce((n, i) => n + (i.code === 'unrecognized_keys' ? i.keys.length : 1), 0);

/**
 * A failed union at `path`: the issues of the branch nearest the value (of its kind, with the
 * fewest problems: `{range: [1], stp: 2}` is a range with a short range and an unknown key), else
 * what the union accepts.
 */
function unionIssues(i: Extract<ZodIssue, { code: 'invalid_union' }>, path: (string | number)[], got: unknown, known: KnownKeys): Issue[] {
  if (typeof got === 'number' && !Number.isFinite(got) && unionTypes(i.errors).includes('number')) return [{ path, message: nonFiniteMessage(got) }];
  const ofKind = i.errors.filter((b) => !wrongKind(b)).sort((a, b) => problems(a) - problems(b));
  if (ofKind.length === 1 || (ofKind.length > 1 && problems(ofKind[0]) < problems(ofKind[1]))) return issueMessages(ofKind[0], path, got, known);
  if (path.length === 2 && path[0] === 'parameters') return [{ path, message: 'expected a list of values, {range: [lo, hi], step}, {values: [...]} or a single value' }];
  return [{ path, message: `expected ${orList(unionTypes(i.errors).map(typeWord))}, not ${got === undefined ? 'nothing' : echoed(got)}` }];
}

/**
 * ` (a field of the workload block: …)` when a key unknown at `path` (the top level or a block) is a
 * field of another block, as `scope: e2e` written beside `workload:` instead of inside it; else ''.
 * The blocks are the schema's: the top level ('') and each top-level key with keys of its own
 * (`known`, from the space schema: workload, hardware, algo, search, accuracy, cycle).
 */
function elsewhere(key: string, path: (string | number)[], known: KnownKeys): string {
  if (path.length > 1) return '';
  const here = path.length === 0 ? '' : String(path[0]);
  const blocks = ['', ...known([])].filter((b) => b !== here && known(b ? [b] : []).includes(key));
  if (blocks.length === 0) return '';
  if (blocks.length > 1) return ` (a field of the ${orList(blocks.map((b) => b || 'top level'))} blocks: write it in the one meant)`;
  const [block] = blocks;
  return block ? ` (a field of the ${block} block: write it there, ${block}: { ${key}: … })` : ` (a top-level key: write it on a line of its own, ${key}: …)`;
}

/**
 * ` (known: a, b, …)`: the keys a block takes, for an unknown key that is neither a plausible typo
 * of one nor a field of another block (`search: { budget: 400 }` named no key before, where
 * `--set algo.budget=3` lists the parameters); '' where the keys are not known (a report entry).
 */
function knownList(keys: string[]): string {
  return keys.length > 0 ? ` (known: ${keys.join(', ')})` : '';
}

/**
 * ` (its keys: a, b, …)` when a block or list entry that takes keys is given a plain value
 * (`objectives: [latency_s]` said only "expected mapping, received string"); else ''.
 */
function mappingKeys(i: ZodIssue, got: unknown, keys: string[]): string {
  const scalar = got !== undefined && (got === null || typeof got !== 'object');
  return i.code === 'invalid_type' && i.expected === 'object' && scalar && keys.length > 0 ? ` (its keys: ${keys.join(', ')})` : '';
}

/**
 * Issues with paths and messages for the user; `raw`: the value at `prefix` as the file gives it
 * (named in the messages); `known`: the keys allowed at a path (for "did you mean").
 */
export function issueMessages(issues: ZodIssue[], prefix: (string | number)[], raw: unknown, known: KnownKeys): Issue[] {
  const out: Issue[] = [];
  for (const i of issues) {
    const path = [...prefix, ...(i.path as (string | number)[])];
    const got = valueAt(raw, i.path as (string | number)[]);
    if (i.code === 'unrecognized_keys') {
      const keys = known(path);
      for (const k of i.keys) out.push({ path: [...path, k], message: `unknown key "${visible(k)}"${didYouMean(k, keys) || elsewhere(k, path, known) || knownList(keys)}`, atKey: true });
    } else if (i.code === 'invalid_union' && !allowedValues(i)) {
      out.push(...unionIssues(i, path, got, known));
    } else {
      out.push({ path, message: valueMessage(i, got) + mappingKeys(i, got, known(path)) });
    }
  }
  return out;
}

