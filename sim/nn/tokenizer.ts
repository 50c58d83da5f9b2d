/**
 * Tokenizers.
 *
 * - `BpeTokenizer`: byte-level BPE exactly in the GPT-2 format (bytes_to_unicode alphabet, the
 *   GPT-2 pre-tokenisation regex, `vocab.json` + `merges.txt`), so the files of a real GPT-2
 *   checkpoint load too. `trainBpe` learns merges from a corpus (used by `spatten-dse train`).
 * - `WordPieceTokenizer`: greedy longest-match-first WordPiece over a BERT `vocab.txt`
 *   (lower-cased, basic punctuation split), for Hugging Face BERT folders.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Tokenizer {
  readonly vocabSize: number;
  /**
   * The ids of `text`; with `maxTokens`, exactly the first `maxTokens` of them
   * (`encode(text).slice(0, maxTokens)`), found without encoding the rest: pre-tokens (words) are
   * encoded one after the other, each independently of those after it.
   */
  encode(text: string, maxTokens?: number): number[];
  decode(ids: number[]): string;
  tokenId(tok: string): number | undefined;
}

// GPT-2 byte <-> unicode table.
function bytesToUnicode(): string[] {
  const bs: number[] = [];
  for (let i = 33; i <= 126; i++) bs.push(i);
  for (let i = 161; i <= 172; i++) bs.push(i);
  for (let i = 174; i <= 255; i++) bs.push(i);
  const cs = bs.slice();
  let n = 0;
  for (let b = 0; b < 256; b++) {
    if (!bs.includes(b)) {
      bs.push(b);
      cs.push(256 + n);
      n++;
    }
  }
  const out = new Array<string>(256);
  bs.forEach((b, i) => (out[b] = String.fromCharCode(cs[i])));
  return out;
}
const B2U = bytesToUnicode();
const U2B = new Map<string, number>(B2U.map((u, b) => [u, b]));
const PRETOK = /'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+/gu;
/**
 * The pre-tokenization the shipped spam-bert / sotu-gpt tokenizers were TRAINED with (one digit per
 * pre-token). It learns no digit-digit merge, so those vocabularies encode identically under
 * GPT-2's PRETOK (digit runs); kept only so that `train` reproduces their merges.
 */
const PRETOK_SINGLE_DIGITS = /'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+/gu;
const enc = new TextEncoder();
const dec = new TextDecoder();

function toByteChars(word: string): string {
  let s = '';
  for (const b of enc.encode(word)) s += B2U[b];
  return s;
}

export class BpeTokenizer implements Tokenizer {
  readonly vocab: Map<string, number>;
  readonly inv: string[];
  readonly ranks: Map<string, number>;
  readonly merges: [string, string][];
  private cache = new Map<string, number[]>();
  constructor(vocab: Map<string, number>, merges: [string, string][]) {
    this.vocab = vocab;
    this.merges = merges;
    this.inv = [];
    for (const [t, i] of vocab) this.inv[i] = t;
    this.ranks = new Map(merges.map(([a, b], i) => [a + ' ' + b, i]));
  }
  get vocabSize(): number {
    return this.inv.length;
  }
  tokenId(tok: string): number | undefined {
    return this.vocab.get(tok);
  }
  private bpe(word: string): number[] {
    const hit = this.cache.get(word);
    if (hit) return hit;
    let parts = Array.from(word);
    while (parts.length > 1) {
      let best = -1;
      let bestRank = Infinity;
      for (let i = 0; i < parts.length - 1; i++) {
        const r = this.ranks.get(parts[i] + ' ' + parts[i + 1]);
        if (r !== undefined && r < bestRank) {
          bestRank = r;
          best = i;
        }
      }
      if (best < 0) break;
      parts = mergePair(parts, parts[best], parts[best + 1]);
    }
    const ids: number[] = [];
    for (const p of parts) {
      const id = this.vocab.get(p);
      if (id !== undefined) ids.push(id);
      else for (const ch of p) { const c = this.vocab.get(ch); if (c !== undefined) ids.push(c); }
    }
    if (this.cache.size < 200_000) this.cache.set(word, ids);
    return ids;
  }
  encode(text: string, maxTokens = Infinity): number[] {
    return this.ranks.size === 0 ? this.encodeBytes(text, maxTokens) : this.encodeByPretokens(text, maxTokens);
  }

  /**
   * Without merges every byte is its own token: the pre-tokens (which cover the whole text, a code
   * point at a time) only split the byte sequence, so the ids are the text's UTF-8 bytes through the
   * vocabulary (a byte symbol the vocabulary lacks is skipped, as `bpe` skips it).
   */
  private encodeBytes(text: string, maxTokens: number): number[] {
    const ids = this.byteIds ??= Int32Array.from({ length: 256 }, (_, b) => this.vocab.get(B2U[b]) ?? -1);
    const out: number[] = [];
    for (const b of enc.encode(text)) {
      if (out.length >= maxTokens) break;
      const id = ids[b];
      if (id >= 0) out.push(id);
    }
    return out;
  }
  private byteIds: Int32Array | undefined;

  /** The general path: GPT-2's pre-tokens, each through the merges (`bpe`). */
  encodeByPretokens(text: string, maxTokens = Infinity): number[] {
    const out: number[] = [];
    for (const m of text.matchAll(PRETOK)) {
      for (const id of this.bpe(toByteChars(m[0]))) out.push(id);
      if (out.length >= maxTokens) break;
    }
    if (out.length > maxTokens) out.length = maxTokens;
    return out;
  }
  decode(ids: number[]): string {
    const bytes: number[] = [];
    for (const id of ids) {
      const t = this.inv[id];
      if (t === undefined) continue;
      for (const ch of t) {
        const b = U2B.get(ch);
        if (b !== undefined) bytes.push(b);
      }
    }
    return dec.decode(new Uint8Array(bytes));
  }
  save(dir: string): void {
    writeFileSync(join(dir, 'vocab.json'), JSON.stringify(Object.fromEntries(this.vocab)));
    writeFileSync(join(dir, 'merges.txt'), '#version: 0.2\n' + this.merges.map(([a, b]) => `${a} ${b}`).join('\n') + '\n');
  }
  static load(dir: string): BpeTokenizer {
    const vocabObj = JSON.parse(readFileSync(join(dir, 'vocab.json'), 'utf8')) as Record<string, number>;
    const merges: [string, string][] = [];
    for (const line of readFileSync(join(dir, 'merges.txt'), 'utf8').split('\n')) {
      if (!line || line.startsWith('#version')) continue;
      const sp = line.split(' ');
      if (sp.length !== 2) throw new Error(`merges.txt: bad line '${line.slice(0, 40)}'`);
      merges.push([sp[0], sp[1]]);
    }
    return new BpeTokenizer(new Map(Object.entries(vocabObj)), merges);
  }
}

/**
 * Train a byte-level BPE. `specials` take ids 0..n-1, the 256 byte symbols follow, then one id
 * per merge until `vocabSize`. Deterministic (ties broken by the pair string).
 */
export function trainBpe(texts: Iterable<string>, vocabSize: number, specials: string[], opts: { singleDigitPretokens?: boolean } = {}): BpeTokenizer {
  const words = frequentWords(texts, opts.singleDigitPretokens ? PRETOK_SINGLE_DIGITS : PRETOK);
  const vocab = new Map<string, number>();
  for (const s of specials) vocab.set(s, vocab.size);
  for (const u of B2U) vocab.set(u, vocab.size);
  const merges: [string, string][] = [];
  const pairs = new PairIndex(words.map(([w]) => Array.from(w)), words.map(([, c]) => c));
  while (vocab.size < vocabSize) {
    const best = pairs.mostFrequent();
    if (best === undefined) break;
    const [a, b] = best.split(' ');
    merges.push([a, b]);
    vocab.set(a + b, vocab.size);
    pairs.merge(best, a, b);
  }
  return new BpeTokenizer(vocab, merges);
}

/**
 * The corpus's pre-tokens (`re`) as byte characters with their counts, keeping the frequent words
 * only (rare words barely change the merges, and cost time): most frequent first, ties by the word.
 */
function frequentWords(texts: Iterable<string>, re: RegExp): [string, number][] {
  const counts = new Map<string, number>();
  for (const t of texts) for (const m of t.matchAll(re)) {
    const w = toByteChars(m[0]);
    counts.set(w, (counts.get(w) ?? 0) + 1);
  }
  return [...counts.entries()].filter(([, c]) => c >= 2).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
}

/** Symbol sequence `s` with every non-overlapping pair a b (left to right) replaced by the symbol a+b. */
function mergePair(s: string[], a: string, b: string): string[] {
  const next: string[] = [];
  for (let i = 0; i < s.length; i++) {
    if (i < s.length - 1 && s[i] === a && s[i + 1] === b) { next.push(a + b); i++; } else next.push(s[i]);
  }
  return next;
}

/** Incremental pair counts over the words (weighted by frequency), with an index from pair to the words containing it. */
class PairIndex {
  private readonly count = new Map<string, number>();
  private readonly where = new Map<string, Set<number>>();
  constructor(private readonly seqs: string[][], private readonly freq: number[]) {
    for (let i = 0; i < seqs.length; i++) this.addWord(i, 1);
  }

  /** Counts word wi's pairs in (sign 1) or out (sign −1); counting in also indexes them. */
  private addWord(wi: number, sign: number): void {
    const s = this.seqs[wi];
    for (let i = 0; i < s.length - 1; i++) {
      const p = s[i] + ' ' + s[i + 1];
      this.count.set(p, (this.count.get(p) ?? 0) + sign * this.freq[wi]);
      if (sign > 0) {
        let set = this.where.get(p);
        if (!set) this.where.set(p, (set = new Set()));
        set.add(wi);
      }
    }
  }

  /** The most frequent pair "a b" (ties: the smaller string), or undefined when none occurs twice. */
  mostFrequent(): string | undefined {
    let best = '';
    let bc = 0;
    for (const [p, c] of this.count) if (c > bc || (c === bc && c > 0 && p < best)) { bc = c; best = p; }
    return bc < 2 ? undefined : best;
  }

  /** Merges the pair `best` = "a b" in every word containing it and updates the counts. */
  merge(best: string, a: string, b: string): void {
    for (const wi of this.where.get(best) ?? []) {
      this.addWord(wi, -1);
      this.seqs[wi] = mergePair(this.seqs[wi], a, b);
      this.addWord(wi, 1);
    }
    this.count.delete(best);
    this.where.delete(best);
  }
}

const isWs = (ch: string) => ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r' || /\p{Zs}/u.test(ch);
const isControl = (ch: string) => ch !== '\t' && ch !== '\n' && ch !== '\r' && /\p{C}/u.test(ch);
function isPunct(ch: string): boolean {
  const cp = ch.codePointAt(0)!;
  return (cp >= 33 && cp <= 47) || (cp >= 58 && cp <= 64) || (cp >= 91 && cp <= 96) || (cp >= 123 && cp <= 126) || /\p{P}/u.test(ch);
}
function isCjk(cp: number): boolean {
  return (cp >= 0x4e00 && cp <= 0x9fff) || (cp >= 0x3400 && cp <= 0x4dbf) || (cp >= 0x20000 && cp <= 0x2a6df) || (cp >= 0x2a700 && cp <= 0x2b73f) ||
    (cp >= 0x2b740 && cp <= 0x2b81f) || (cp >= 0x2b820 && cp <= 0x2ceaf) || (cp >= 0xf900 && cp <= 0xfaff) || (cp >= 0x2f800 && cp <= 0x2fa1f);
}

/**
 * Hugging Face's BasicTokenizer (BERT): drop NUL / U+FFFD / control characters, map whitespace to
 * spaces, put spaces around CJK ideographs, split on whitespace, lower-case and strip accents
 * (NFD, drop Mn) when uncased, then split every punctuation character (ASCII symbol ranges or
 * Unicode P*) into its own word. Letters and digits stay together ("3rd" is one word).
 */
export function basicTokenize(text: string, lowercase = true): string[] {
  let t = '';
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    if (cp === 0 || cp === 0xfffd || isControl(ch)) continue;
    t += isWs(ch) ? ' ' : isCjk(cp) ? ` ${ch} ` : ch;
  }
  const words: string[] = [];
  for (let w of t.normalize('NFC').split(' ')) {
    if (!w) continue;
    if (lowercase) w = w.toLowerCase().normalize('NFD').replace(/\p{Mn}/gu, '');
    let cur = '';
    for (const ch of w) {
      if (isPunct(ch)) {
        if (cur) words.push(cur);
        words.push(ch);
        cur = '';
      } else cur += ch;
    }
    if (cur) words.push(cur);
  }
  return words;
}

/** BERT WordPiece over `vocab.txt` (uncased): BasicTokenizer then greedy longest-match-first. */
export class WordPieceTokenizer implements Tokenizer {
  readonly vocab: Map<string, number>;
  readonly inv: string[];
  constructor(tokens: string[], readonly lowercase = true) {
    this.inv = tokens;
    this.vocab = new Map(tokens.map((t, i) => [t, i]));
  }
  get vocabSize(): number {
    return this.inv.length;
  }
  tokenId(tok: string): number | undefined {
    return this.vocab.get(tok);
  }
  encode(text: string, maxTokens = Infinity): number[] {
    const unk = this.vocab.get('[UNK]') ?? 0;
    const out: number[] = [];
    for (const word of basicTokenize(text, this.lowercase)) {
      if (out.length >= maxTokens) break;
      const chars = Array.from(word);
      if (chars.length > 100) { out.push(unk); continue; } // HF max_input_chars_per_word
      let start = 0;
      const pieces: number[] = [];
      let bad = false;
      while (start < chars.length) {
        let end = chars.length;
        let id: number | undefined;
        while (end > start) {
          id = this.vocab.get((start > 0 ? '##' : '') + chars.slice(start, end).join(''));
          if (id !== undefined) break;
          end--;
        }
        if (id === undefined) { bad = true; break; }
        pieces.push(id);
        start = end;
      }
      if (bad) out.push(unk); else out.push(...pieces);
    }
    if (out.length > maxTokens) out.length = maxTokens;
    return out;
  }
  decode(ids: number[]): string {
    return ids.map((i) => this.inv[i] ?? '').join(' ').replace(/ ##/g, '');
  }
  static load(dir: string): WordPieceTokenizer {
    return new WordPieceTokenizer(readFileSync(join(dir, 'vocab.txt'), 'utf8').split('\n').filter((l, i, a) => l !== '' || i < a.length - 1));
  }
}

/** Load whichever tokenizer files a checkpoint folder holds; a byte-level BPE missing one of its two files is named. */
export function loadTokenizer(dir: string): Tokenizer {
  const json = existsSync(join(dir, 'vocab.json'));
  const merges = existsSync(join(dir, 'merges.txt'));
  if (json && merges) return BpeTokenizer.load(dir);
  if (existsSync(join(dir, 'vocab.txt'))) return WordPieceTokenizer.load(dir);
  if (json !== merges) {
    const [has, lacks] = json ? ['vocab.json', 'merges.txt'] : ['merges.txt', 'vocab.json'];
    throw new Error(`${dir}: has ${has} but no ${lacks} next to it: a byte-level BPE tokenizer (GPT-2's) needs both files; copy the model's ${lacks} into the folder`);
  }
  // a fast tokenizer's single file is not read: say how to write the files that are
  const fast = existsSync(join(dir, 'tokenizer.json')) ? ': tokenizer.json is not read; tokenizer.save_pretrained(folder, legacy_format=True) writes them' : '';
  throw new Error(`no tokenizer files (vocab.json + merges.txt, or vocab.txt) in ${dir}${fast}`);
}
