/**
 * The cases scripts/lm-diag.ts measures, as data: the truncation lengths and the key rules of its
 * `selection` and `layers` tables. scripts/readme-lm-diag-format.ts writes sim/nn/README.md's
 * tables from the same lists, so a row added here is a row there.
 */
import type { KeyRule } from '../sim/nn/generate.ts';

export interface Case { label: string; algo: { tokenKeep?: number }; rule?: KeyRule }

/** `truncation`: the last N tokens, fresh and at their own positions. */
export const TRUNCATION_N = [8, 32, 64, 96, 128];

/** `selection`'s token ratios (the model's tokenKeep defaults for 4× and 8×) and fixed recency counts. */
export const SELECTION_KEEPS = [0.25, 0.125];
export const SELECTION_RECENT = [32, 64, 96];

/** `selection`: the cascade against recency at the same counts, then the k most recent in every layer / from layer 1 on. */
export const SELECTION_CASES: Case[] = [
  ...SELECTION_KEEPS.flatMap((keep): Case[] => [
    { label: `cascade, tokenKeep ${keep}`, algo: { tokenKeep: keep } },
    { label: `most recent, same counts (tokenKeep ${keep})`, algo: { tokenKeep: keep }, rule: { rank: 'recent' } },
  ]),
  ...SELECTION_RECENT.flatMap((k): Case[] => [
    { label: `most recent ${k}, every layer`, algo: {}, rule: { rank: 'recent', keep: k, fromLayer: 0 } },
    { label: `most recent ${k}, layers ≥ 1`, algo: {}, rule: { rank: 'recent', keep: k, fromLayer: 1 } },
  ]),
];

/** `layers`: [k, l] = the cascade's k best tokens in every layer ≥ l (the layers before it dense); layers 2–3 first, then layer 1 from most kept to least. */
export const LAYER_KEEPS: [number, number][] = [[24, 3], [60, 3], [60, 2], [24, 2], [192, 1], [128, 1], [96, 1], [60, 1]];
export const LAYER_CASES: Case[] = LAYER_KEEPS.map(([k, from]) => ({ label: `cascade ${k} tokens in layers ≥ ${from}`, algo: {}, rule: { keep: k, fromLayer: from } }));
