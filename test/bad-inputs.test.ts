/**
 * Bad inputs, table-driven: each case runs the CLI in-process (`main` of dse/cli.ts), checks the
 * exit code and the message, and lists its folder (names, sizes, contents hashed) before and after:
 * nothing may be written, created or truncated — not the output folder, not an existing journal.
 * The table is printed as a diagnostic (case | exit | message).
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, symlinkSync, writeFileSync } from "node:fs";
import os from 'node:os';
import path from 'node:path';
import { main } from '../dse/cli.ts';
import { loadJournal } from '../dse/journal.ts';
import { parseSafetensors, serializeSafetensors } from '../sim/nn/safetensors.ts';

const ROOT = path.join(import.meta.dirname, '..');
const TMP = mkdtempSync(path.join(os.tmpdir(), 'sdse-bad-'));

/** Runs the CLI in-process; returns the exit code and what it printed. */
async function cli(argv: string[]): Promise<{ code: number; err: string; out: string }> {
  let err = '';
  const out = '';
  const we = process.stderr.write.bind(process.stderr);
  // (stdout is not captured: the test runner reports through it)
  process.stderr.write = ((s: string | Uint8Array) => ((err += String(s)), true)) as typeof process.stderr.write;
  try {
    const code = await main(argv);
    return { code, err, out };
  } finally {
    process.stderr.write = we;
  }
}

/** Every file and folder under `dir`: relative path → "dir", size:sha1 of the content, or a symbolic link's target. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  if (!existsSync(dir)) return out;
  const walk = (d: string) => {
    for (const f of readdirSync(d).sort()) {
      const p = path.join(d, f);
      const st = lstatSync(p);
      if (st.isSymbolicLink()) out[path.relative(dir, p)] = `link:${readlinkSync(p)}`;
      else if (st.isDirectory()) {
        out[path.relative(dir, p) + '/'] = 'dir';
        walk(p);
      } else out[path.relative(dir, p)] = `${st.size}:${createHash('sha1').update(readFileSync(p)).digest('hex')}`;
    }
  };
  walk(dir);
  return out;
}

const TINY = `name: tiny
workload: { model: gpt2-small, stage: generation, seqLen: 128, genTokens: 4 }
objectives:
  - { metric: latency_s, goal: min }
  - { metric: energy_j, goal: min }
constraints: ["area_mm2 <= 19"]
parameters:
  hw.dramChannels: [4, 8, 16]
  algo.tokenKeep: [0.5, 1.0]
search: { driver: grid }
`;
const BENCH = TINY.replace('{ model: gpt2-small, stage: generation, seqLen: 128, genTokens: 4 }', '{ benchmark: gpt2-small-ptb }');
const BERT = TINY.replace('{ model: gpt2-small, stage: generation, seqLen: 128, genTokens: 4 }', '{ model: bert-base, stage: summarization, seqLen: 128 }');
/** The official per8 trace (6-bit keys, a 4-bit LSB pass on 323 of its 4,608 heads, 6-bit values: a 10-bit word at least). */
const PER8 = path.join(ROOT, 'sim/workload/traces/summary-gpt2-small-wikitext2-per8.csv');
const TRACED = TINY.replace('{ model: gpt2-small, stage: generation, seqLen: 128, genTokens: 4 }', `{ trace: ${PER8} }`).replace('  algo.tokenKeep: [0.5, 1.0]\n', '');

/** spam-bert's config.json and tokenizer files, for checkpoint folders `ck/` of the cases. */
const SPAM_CONFIG = readFileSync(path.join(ROOT, 'sim/nn/checkpoints/spam-bert/config.json'), 'utf8');
const SPAM_TOKENIZER: Record<string, string> = {
  'ck/config.json': SPAM_CONFIG,
  'ck/vocab.json': readFileSync(path.join(ROOT, 'sim/nn/checkpoints/spam-bert/vocab.json'), 'utf8'),
  'ck/merges.txt': readFileSync(path.join(ROOT, 'sim/nn/checkpoints/spam-bert/merges.txt'), 'utf8'),
};
/** A BERT space whose accuracy block reads the case's `ck/` folder (6 points). */
const accuracySpace = (d: string) => BERT.replace('metric: energy_j', 'metric: accuracy') + `accuracy: { model: ${path.join(d, 'ck')}, maxExamples: 4 }\n`;
/** spam-bert's model.safetensors with every float32 1e30: finite, so it loads, but every forward overflows to NaN. */
function nanWeights(): Buffer {
  const b = Buffer.from(readFileSync(path.join(ROOT, 'sim/nn/checkpoints/spam-bert/model.safetensors')));
  const start = 8 + Number(b.readBigUInt64LE(0));
  for (let o = start; o + 4 <= b.length; o += 4) b.writeFloatLE(1e30, o);
  return b;
}

/** A GPT-2 model.safetensors with its position table cut to its first `n` rows (the rest unchanged). */
function shortPositions(file: string, n: number): Uint8Array {
  const tensors = parseSafetensors(readFileSync(file), file);
  for (const [name, t] of tensors) {
    if (name.endsWith('wpe.weight')) tensors.set(name, { shape: [n, t.shape[1]], data: t.data.slice(0, n * t.shape[1]) });
  }
  return serializeSafetensors(tensors);
}

/** The GPT-2 reference folder (test/fixtures/hf-reference/gpt2-tiny) as `ck/` of a case, without one of its files. */
function gpt2Without(dir: string, missing: string): void {
  mkdirSync(path.join(dir, 'ck'));
  for (const f of ['config.json', 'vocab.json', 'merges.txt', 'model.safetensors']) {
    if (f !== missing) copyFileSync(path.join(ROOT, 'test/fixtures/hf-reference/gpt2-tiny', f), path.join(dir, 'ck', f));
  }
}

/** A space text with one more parameter line. */
const withParam = (text: string, line: string) => text.replace('  algo.tokenKeep: [0.5, 1.0]\n', `  algo.tokenKeep: [0.5, 1.0]\n  ${line}\n`);

function bomb(): string {
  const lines = ['a0: &a0 [x, x, x, x, x, x, x, x, x, x]'];
  for (let i = 1; i < 9; i++) lines.push(`a${i}: &a${i} [${Array(10).fill(`*a${i - 1}`).join(', ')}]`);
  return lines.join('\n') + '\n' + TINY;
}

interface Case {
  name: string;
  /** Files to create in the case folder (name → text), before the snapshot. */
  files?: Record<string, string>;
  /** Extra setup (e.g. a finished run), before the snapshot. */
  setup?: (dir: string) => Promise<void> | void;
  argv: (dir: string) => string[];
  code: number;
  re: RegExp;
  /** Paths outside the case folder that must not appear. */
  absent?: string[];
  /** Paths in the case folder the case leaves (the journal of a run that evaluated), checked by `check`; nothing else is written. */
  leaves?: string[];
  check?: (dir: string) => void;
}

const space = (dir: string, f = 's.yaml') => path.join(dir, f);
const out = (dir: string) => path.join(dir, 'out');
/** A Hugging Face BERT folder `ck/` of a case: bert-tiny's config.json and WordPiece vocab.txt (test/fixtures), a stand-in model.safetensors. */
const BERT_TINY_CK: Record<string, string> = { ...Object.fromEntries(['config.json', 'vocab.txt'].map((f) => [`ck/${f}`, readFileSync(path.join(ROOT, 'test/fixtures/hf-reference/bert-tiny', f), 'utf8')])), 'ck/model.safetensors': 'weights (not read)' };
const run = (...extra: string[]) => (dir: string) => ['run', space(dir), '--out', out(dir), '--progress', 'none', '--no-report', ...extra];
const yaml = (text: string): Pick<Case, 'files'> => ({ files: { 's.yaml': text } });
/** A finished run of TINY in dir/out (its journal must survive the case untouched). */
const finishedRun = async (dir: string) => {
  writeFileSync(space(dir, 'tiny.yaml'), TINY);
  const r = await cli(['run', space(dir, 'tiny.yaml'), '--out', out(dir), '--progress', 'none', '--no-report']);
  assert.equal(r.code, 0, r.err);
};

const CASES: Case[] = [
  // --- the space file ---
  { name: 'space file missing', argv: (d) => ['run', space(d, 'nope.yaml'), '--out', out(d)], code: 2, re: /nope\.yaml: cannot read the space file: no such file/ },
  { name: 'space file is a folder', setup: (d) => mkdirSync(space(d, 'dir.yaml')), argv: (d) => ['run', space(d, 'dir.yaml'), '--out', out(d)], code: 2, re: /dir\.yaml: cannot read the space file: is a folder/ },
  { name: 'space file is binary', setup: (d) => writeFileSync(space(d), Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0, 0, 0, 0, 0])), argv: run(), code: 2, re: /s\.yaml: cannot read the space file: not a text file/ },
  { name: 'space file is a character device (/dev/zero): refused at the size limit, not read forever', argv: (d) => ['run', '/dev/zero', '--out', out(d), '--progress', 'none'], code: 2, re: /^error: \/dev\/zero: cannot read the space file: more than 1048576 bytes \(not a regular file: a character device\), above the limit for a YAML space\n$/ },
  { name: 'space file with a Latin-1 byte in a comment: not UTF-8, at its line and column', setup: (d) => writeFileSync(space(d), Buffer.concat([Buffer.from('# caf\xe9 au lait\n', 'latin1'), Buffer.from(TINY)])), argv: run(), code: 2, re: /^error: \S*s\.yaml:1:6: not UTF-8: byte 0xE9 here is not valid UTF-8 \(the file looks saved as Latin-1 or another 8-bit encoding\); save it as UTF-8\n$/ },
  { name: 'space file with a Latin-1 byte in a value, after a multi-byte character', setup: (d) => writeFileSync(space(d), Buffer.concat([Buffer.from('name: tiny\ndescription: "µ '), Buffer.from([0xb5]), Buffer.from('"\n' + TINY.replace('name: tiny\n', ''))])), argv: run(), code: 2, re: /^error: \S*s\.yaml:2:17: not UTF-8: byte 0xB5 /m },
  { name: 'two YAML documents in one space file', ...yaml(TINY + '---\n' + TINY), argv: run(), code: 2, re: /^error: \S*s\.yaml:11:1: YAML syntax error: a second YAML document \("---"\): a space file holds one; remove the "---" line and what follows it, or move that to a file of its own\n$/ },
  { name: 'brackets nested 5,000 deep: one line, no JavaScript error text', ...yaml(TINY + 'x: ' + '['.repeat(5000) + ']'.repeat(5000) + '\n'), argv: run(), code: 2, re: /^error: \S*s\.yaml:11:\d+: YAML syntax error: brackets or blocks nested too deeply for the YAML reader; a space file needs a few levels\n$/ },
  { name: 'YAML syntax error', ...yaml(TINY.replace('search: { driver: grid }', 'search: { driver: grid')), argv: run(), code: 2, re: /s\.yaml:\d+:\d+: YAML syntax error/ },
  {
    name: 'YAML syntax errors: every one, in line order',
    ...yaml(TINY.replace('- { metric: latency_s, goal: min }', '- { metric: latency_s, goal: min').replace('search: { driver: grid }', 'search: { driver: grid') + 'name: again\n'),
    argv: run(),
    code: 2,
    // the flow maps left open on lines 4 and 10 are found at the next line; the repeated name is line 11
    re: /^error: \S*s\.yaml:5:3: YAML syntax error: Flow map in block collection must be sufficiently indented and end with a \}\n\S*s\.yaml:11:1: YAML syntax error: Flow map in block collection must be sufficiently indented and end with a \}\n\S*s\.yaml:11:1: YAML syntax error: Map keys must be unique\n$/,
  },
  { name: 'YAML duplicate key', ...yaml(TINY + 'name: again\n'), argv: run(), code: 2, re: /s\.yaml:\d+:\d+: YAML syntax error: Map keys must be unique/ },
  { name: 'YAML alias bomb (resource limit)', ...yaml(bomb()), argv: run(), code: 2, re: /s\.yaml:2:\d+: YAML: .*alias/ },
  { name: 'YAML root is a list', ...yaml('- a\n- b\n'), argv: run(), code: 2, re: /s\.yaml:1:1: \(root\): expected a mapping/ },
  { name: 'no objectives', ...yaml(TINY.replace(/objectives:\n(  - .*\n)+/, '')), argv: run(), code: 2, re: /s\.yaml:\d+:\d+: objectives: / },
  { name: 'bad name', ...yaml(TINY.replace('name: tiny', 'name: ../up')), argv: run(), code: 2, re: /s\.yaml:1:7: name: use letters, digits/ },
  { name: 'unknown top-level key (typo)', ...yaml(TINY + 'hardwre: { preset: spatten }\n'), argv: run(), code: 2, re: /s\.yaml:11:1: hardwre: unknown key "hardwre" \(did you mean "hardware"\?\)/ },
  { name: 'unknown hardware field (typo)', ...yaml(TINY + 'hardware: { dramChanels: 4 }\n'), argv: run(), code: 2, re: /hardware\.dramChanels: unknown key "dramChanels" \(did you mean "dramChannels"\?\)/ },
  { name: 'unknown parameter (typo)', ...yaml(withParam(TINY, 'hw.topkParalelism: [1, 2]')), argv: run(), code: 2, re: /did you mean "hw\.topkParallelism"/ },
  { name: 'unknown objective metric (typo)', ...yaml(TINY.replace('metric: latency_s', 'metric: latency')), argv: run(), code: 2, re: /s\.yaml:4:15: objectives\[0\]\.metric: "latency" is not one of .*\(did you mean "latency_s"\?\)/ },
  { name: 'unknown constraint metric (typo)', ...yaml(TINY.replace('area_mm2 <= 19', 'aera_mm2 <= 19')), argv: run(), code: 2, re: /constraints\[0\]: unknown metric "aera_mm2" in constraint \(did you mean "area_mm2"\?\)/ },
  { name: 'unparsable constraint', ...yaml(TINY.replace('area_mm2 <= 19', 'area_mm2 <= big')), argv: run(), code: 2, re: /constraints\[0\]: cannot parse constraint/ },
  { name: 'constraint relative to the dense model without an accuracy block', ...yaml(TINY.replace('area_mm2 <= 19', 'accuracy >= dense - 0.01')), argv: run(), code: 2, re: /s\.yaml:6:15: constraints\[0\]: "accuracy >= dense - 0\.01": a bound relative to the dense model needs an accuracy block/ },
  { name: 'constraint relative to the dense model on a hardware metric', ...yaml(TINY.replace('area_mm2 <= 19', 'area_mm2 <= dense * 0.9')), argv: run(), code: 2, re: /s\.yaml:6:15: constraints\[0\]: "area_mm2 <= dense \* 0\.9": only accuracy and perplexity can be bounded relative to the dense model/ },
  { name: 'duplicate objective', ...yaml(TINY.replace('metric: energy_j', 'metric: latency_s')), argv: run(), code: 2, re: /objectives\[1\]\.metric: duplicate objective/ },
  { name: 'parameter value out of range', ...yaml(TINY.replace('[4, 8, 16]', '[4, -8, 16]')), argv: run(), code: 2, re: /s\.yaml:8:24: parameters\.hw\.dramChannels\[1\]: Too small/ },
  { name: 'misspelt choice in a parameter list', ...yaml(withParam(TINY, 'hw.topkModel: [paper, oficial-rtl]')), argv: run(), code: 2, re: /s\.yaml:10:25: parameters\.hw\.topkModel\[1\]: "oficial-rtl" is not one of paper, official-rtl \(did you mean "official-rtl"\?\)/ },
  { name: 'value outside a union of literals', ...yaml(withParam(TINY.replace('genTokens: 4 }', 'genTokens: 4, scope: e2e }'), 'algo.fcWeightBits: [8, 10]')), argv: run(), code: 2, re: /s\.yaml:10:26: parameters\.algo\.fcWeightBits\[1\]: 10 is not one of 8, 12$/m },
  { name: 'value outside a union of literals in the algo block', ...yaml(TINY.replace('genTokens: 4 }', 'genTokens: 4, scope: e2e }') + 'algo: { fcWeightBits: 10 }\n'), argv: run(), code: 2, re: /s\.yaml:11:23: algo\.fcWeightBits: 10 is not one of 8, 12$/m },
  { name: 'not a boolean in the hardware block', ...yaml(TINY + 'hardware: { dramRefresh: "yes" }\n'), argv: run(), code: 2, re: /hardware\.dramRefresh: "yes" is not one of true, false$/m },
  { name: 'not a boolean in a list of switches', ...yaml(withParam(TINY, 'hw.dramRefresh: [true, "yes"]')), argv: run(), code: 2, re: /s\.yaml:10:26: parameters\.hw\.dramRefresh\[1\]: "yes" is not one of true, false$/m },
  { name: 'misspelt key of a range', ...yaml(TINY.replace('[4, 8, 16]', '{ range: [4, 16], stp: 4 }')), argv: run(), code: 2, re: /parameters\.hw\.dramChannels\.stp: unknown key "stp" \(did you mean "step"\?\)/ },
  { name: 'a list in a parameter list', ...yaml(TINY.replace('[4, 8, 16]', '[4, [8], 16]')), argv: run(), code: 2, re: /s\.yaml:8:24: parameters\.hw\.dramChannels\[1\]: expected .*string.*, not \[8\]$/m },
  { name: 'parameters: null: one problem, not also "the space is empty"', ...yaml(TINY.replace(/parameters:\n(  .*\n)+/, 'parameters: ~\n')), argv: run(), code: 2, re: /^error: \S*s\.yaml:7:13: parameters: Invalid input: expected mapping, received null \(null\)\n$/ },
  { name: 'workload a string: "expected mapping" (zod says object)', ...yaml(TINY.replace(/workload: \{.*\}/, 'workload: gpt2-small')), argv: run(), code: 2, re: /^error: \S*s\.yaml:2:11: workload: Invalid input: expected mapping, received string \("gpt2-small"\) \(its keys: model, stage, seqLen, genTokens, .*\)\n$/ },
  { name: 'a report reference point not a pair: "expected list" (zod says tuple)', ...yaml(TINY + 'report: { x: hw.dramChannels, y: latency_s, reference: { label: r, points: [{ a: 1 }] } }\n'), argv: run(), code: 2, re: /report\.reference\.points\[0\]: Invalid input: expected list, received mapping \(\{"a":1\}\)$/m },
  { name: '.nan as the accuracy model (a name): a type error, not "expected a finite number"', ...yaml(TINY.replace('metric: energy_j', 'metric: perplexity') + 'accuracy: { model: .nan }\n'), argv: run(), code: 2, re: /^error: \S*s\.yaml:11:20: accuracy\.model: Invalid input: expected string, received number \(NaN\)\n$/ },
  { name: 'a zero-width space in a key: the key shown with it written out', ...yaml(TINY.replace('name: tiny', 'na\u200Bme: tiny')), argv: run(), code: 2, re: /^error: .*\n\S*s\.yaml:1:1: na\\u200Bme: unknown key "na\\u200Bme" \(did you mean "name"\?\)\n$/ },
  { name: 'empty parameter list', ...yaml(TINY.replace('[4, 8, 16]', '[]')), argv: run(), code: 2, re: /parameters\.hw\.dramChannels: empty list/ },
  { name: 'a value twice in a parameter list (0.5 and 0.50)', ...yaml(TINY.replace('[0.5, 1.0]', '[0.5, 1.0, 0.50]')), argv: run(), code: 2, re: /^error: .*s\.yaml:9:30: parameters\.algo\.tokenKeep\[2\]: 0\.5 is given twice \(items \[0\] and \[2\] are equal once parsed\): the sweep would evaluate it once, so the grid would have fewer points than the list has values; remove one\n$/ },
  { name: 'a switch twice in a parameter list (true and "true")', ...yaml(withParam(TINY, 'hw.dramRefresh: { values: [true, false, "true"] }')), argv: run(), code: 2, re: /s\.yaml:10:43: parameters\.hw\.dramRefresh\.values\[2\]: true is given twice \(items \[0\] and \[2\]/ },
  { name: 'range step too fine to count', ...yaml(TINY.replace('[4, 8, 16]', '{ range: [4, 16], step: 5e-324 }')), argv: run(), code: 2, re: /parameters\.hw\.dramChannels\.step: the range has more values than a number can count \(step 5e-324\), above the limit of 1\.00×10\^7/ },
  { name: 'empty range', ...yaml(TINY.replace('[4, 8, 16]', '{ range: [16, 4], step: 4 }')), argv: run(), code: 2, re: /parameters\.hw\.dramChannels\.range: empty range/ },
  { name: 'continuous range on a grid', ...yaml(TINY.replace('[0.5, 1.0]', '{ range: [0.1, 1.0] }')), argv: run(), code: 2, re: /parameters\.algo\.tokenKeep\.range: a range without a step cannot be enumerated by the grid driver/ },
  { name: 'problems in three check stages: one error, every stage, ordered by line', ...yaml(TINY.replace('seqLen: 128', 'seqLength: 128').replace('metric: energy_j', 'metric: perplexity').replace('hw.dramChannels', 'hw.dramChanels')), argv: run(), code: 2, re: /^error: .*s\.yaml:2:\d+: workload\.seqLength: unknown key "seqLength" \(did you mean "seqLen"\?\)\n.*s\.yaml:5:15: objectives\[1\]\.metric: "perplexity" needs an accuracy block[^\n]*\n.*s\.yaml:8:3: parameters\.hw\.dramChanels: unknown parameter "hw\.dramChanels" \(did you mean "hw\.dramChannels"\?\)\n$/ },
  // --- semantic validation ---
  { name: 'encoder with the generation stage', ...yaml(TINY.replace('gpt2-small', 'bert-base')), argv: run(), code: 2, re: /s\.yaml:2:\d+: workload\.stage: bert-base is an encoder: only the summarization stage applies/ },
  { name: 'encoder among swept models, generation stage', ...yaml(withParam(TINY, 'workload.model: [gpt2-small, bert-large]')), argv: run(), code: 2, re: /workload\.stage: bert-large is an encoder/ },
  { name: 'perplexity objective with a classifier', ...yaml(TINY.replace('metric: energy_j', 'metric: perplexity') + 'accuracy: { model: spam-bert }\n'), argv: run(), code: 2, re: /objectives\[1\]\.metric: "perplexity" cannot be produced: accuracy model "spam-bert" is a classifier/ },
  { name: 'accuracy objective with a language model', ...yaml(TINY.replace('metric: energy_j', 'metric: accuracy') + 'accuracy: { model: sotu-gpt }\n'), argv: run(), code: 2, re: /objectives\[1\]\.metric: "accuracy" cannot be produced: .*language model/ },
  { name: 'accuracy objective without an accuracy block', ...yaml(TINY.replace('metric: energy_j', 'metric: accuracy')), argv: run(), code: 2, re: /objectives\[1\]\.metric: "accuracy" needs an accuracy block/ },
  { name: 'accuracy constraint without an accuracy block', ...yaml(TINY.replace('area_mm2 <= 19', 'accuracy >= 0.9')), argv: run(), code: 2, re: /constraints\[0\]: "accuracy" needs an accuracy block/ },
  { name: 'speedup constraint without a baseline', ...yaml(TINY.replace('area_mm2 <= 19', 'speedup >= 2')), argv: run(), code: 2, re: /s\.yaml:6:15: constraints\[0\]: "speedup" needs a baseline, e\.g\. baseline: titan-xp/ },
  { name: 'energy_saving report axis without a baseline', ...yaml(TINY + 'report:\n  - { x: hw.dramChannels, y: gops }\n  - { x: hw.dramChannels, y: energy_saving }\n'), argv: run(), code: 2, re: /s\.yaml:13:30: report\[1\]\.y: "energy_saving" needs a baseline/ },
  { name: 'accuracy report axis without an accuracy block', ...yaml(TINY + 'report: { x: accuracy, y: latency_s }\n'), argv: run(), code: 2, re: /s\.yaml:11:14: report\.x: "accuracy" needs an accuracy block/ },
  { name: 'accuracy model that does not exist', ...yaml(TINY.replace('metric: energy_j', 'metric: accuracy') + 'accuracy: { model: spam-bret }\n'), argv: run(), code: 2, re: /accuracy\.model: accuracy model "spam-bret": neither a shipped checkpoint nor a folder with config\.json \(did you mean "spam-bert"\?\)$/m },
  { name: 'accuracy.seed negative (the 32-bit seed would wrap: -1 is 4294967295)', ...yaml(BERT.replace('metric: energy_j', 'metric: accuracy') + 'accuracy: { model: spam-bert, maxExamples: 4, seed: -1 }\n'), argv: run(), code: 2, re: /^error: .*s\.yaml:11:53: accuracy\.seed: Too small: expected number to be >=0\n$/ },
  { name: 'accuracy.seed above 32 bits', ...yaml(BERT.replace('metric: energy_j', 'metric: accuracy') + 'accuracy: { model: spam-bert, maxExamples: 4, seed: 4294967296 }\n'), argv: run(), code: 2, re: /s\.yaml:11:53: accuracy\.seed: Too big: expected number to be <=4294967295/ },
  { name: 'hardware.wordBits below the key width', ...yaml(TINY + 'hardware: { wordBits: 8 }\n'), argv: run(), code: 2, re: /^error: .*s\.yaml:11:13: hardware\.wordBits: no point fits its on-chip word: hw\.wordBits 8 is below the 12 bits this point needs: the key, algo\.msbBits = 12 bits, is stored in one word; hw\.wordBits must be at least 12 \(or narrow the data\)\n$/ },
  { name: 'lsbBits that widen the key beyond the default 12-bit word (12 + 4)', ...yaml(TINY + 'algo: { lsbBits: 4 }\n'), argv: run(), code: 2, re: /^error: .*s\.yaml:11:9: algo\.lsbBits: no point fits its on-chip word: hw\.wordBits 12 is below the 16 bits this point needs: the key, algo\.msbBits \+ algo\.lsbBits = 12 \+ 4 bits, is stored in one word \(the refetched LSBs go below the MSBs\); hw\.wordBits must be at least 16/ },
  { name: 'swept hw.wordBits all below the e2e FC weights', ...yaml(withParam(TINY.replace('genTokens: 4 }', 'genTokens: 4, scope: e2e }'), 'hw.wordBits: [8, 10]') + 'algo: { msbBits: 6, fcWeightBits: 12 }\n'), argv: run(), code: 2, re: /s\.yaml:10:3: parameters\.hw\.wordBits: no point fits its on-chip word: at hw\.wordBits 8: hw\.wordBits 8 is below the 12 bits this point needs: the FC weights, algo\.fcWeightBits = 12 bits \(scope e2e\)/ },
  { name: 'hardware.wordBits below the 6 + 4-bit keys of a trace workload', ...yaml(TRACED + 'hardware: { wordBits: 8 }\n'), argv: run(), code: 2, re: /^error: .*s\.yaml:10:13: hardware\.wordBits: no point fits its on-chip word: hw\.wordBits 8 is below the 10 bits this point needs: the trace summary-gpt2-small-wikitext2-per8\.csv's keys are 6-bit MSBs \+ 4-bit refetched LSBs = 10 bits in one word \(from iteration 0, layer 0, head 0\); hw\.wordBits must be at least 10 \(the trace fixes its widths\)\n$/ },
  { name: 'swept hw.wordBits all below the keys of a trace workload', ...yaml(TRACED.replace('hw.dramChannels: [4, 8, 16]', 'hw.wordBits: [8, 9]')), argv: run(), code: 2, re: /^error: .*s\.yaml:8:3: parameters\.hw\.wordBits: no point fits its on-chip word: at hw\.wordBits 8: hw\.wordBits 8 is below the 10 bits this point needs: the trace summary-gpt2-small-wikitext2-per8\.csv/ },
  { name: 'genTokens swept without a generation stage', ...yaml(withParam(BERT, 'workload.genTokens: [8, 16]')), argv: run(), code: 2, re: /parameters\.workload\.genTokens: genTokens does not apply/ },
  { name: 'genTokens written without a generation stage', ...yaml(TINY.replace('stage: generation', 'stage: summarization')), argv: run(), code: 2, re: /s\.yaml:2:\d+: workload\.genTokens: genTokens does not apply: the workload has no generation stage; remove it, or use stage: generation/ },
  { name: 'fcWeightBits swept without scope e2e', ...yaml(withParam(TINY, 'algo.fcWeightBits: [8, 12]')), argv: run(), code: 2, re: /s\.yaml:10:3: parameters\.algo\.fcWeightBits: fcWeightBits does not apply: .*only with workload\.scope e2e, which no point has; add scope: e2e/ },
  { name: 'fcWeightBits in the algo block without scope e2e', ...yaml(TINY + 'algo: { fcWeightBits: 12 }\n'), argv: run(), code: 2, re: /s\.yaml:11:9: algo\.fcWeightBits: fcWeightBits does not apply/ },
  { name: 'startTokens swept with the cascade policy', ...yaml(withParam(TINY, 'algo.startTokens: [4, 8]') + 'accuracy: { model: sotu-gpt }\n'), argv: run(), code: 2, re: /parameters\.algo\.startTokens: startTokens does not apply: it belongs to the llm token policy, and every point uses cascade .*set algo: \{ tokenPolicy: llm \}/ },
  { name: 'token policy swept without a language model', ...yaml(withParam(TINY, 'algo.tokenPolicy: [cascade, llm]') + 'accuracy: { model: spam-bert }\n'), argv: run(), code: 2, re: /s\.yaml:10:3: parameters\.algo\.tokenPolicy: tokenPolicy does not apply: the token selection runs in the accuracy engine's language model only .* and its accuracy model spam-bert is a classifier; add accuracy: \{ model: sotu-gpt \}/ },
  { name: 'lsbBits swept on a decoder workload with a classifier accuracy model', ...yaml(withParam(TINY.replace('metric: energy_j', 'metric: accuracy'), 'algo.lsbBits: [0, 4]') + 'accuracy: { model: spam-bert, maxExamples: 4 }\n'), argv: run(), code: 2, re: /s\.yaml:10:3: parameters\.algo\.lsbBits: lsbBits > 0 with the classifier spam-bert in the accuracy block: BERT is quantized statically and measures no LSB refetch/ },
  { name: 'lsbBits in the algo block on a decoder workload with a classifier accuracy model', ...yaml(TINY.replace('metric: energy_j', 'metric: accuracy') + 'algo: { lsbBits: 4 }\naccuracy: { model: spam-bert, maxExamples: 4 }\n'), argv: run(), code: 2, re: /algo\.lsbBits: lsbBits > 0 with the classifier spam-bert/ },
  { name: 'accuracy.maxExamples above the classifier\'s test split', ...yaml(BERT.replace('metric: energy_j', 'metric: accuracy') + 'accuracy: { model: spam-bert, maxExamples: 5000 }\n'), argv: run(), code: 2, re: /s\.yaml:11:\d+: accuracy\.maxExamples: 5000 examples, but a classifier is evaluated on the 1,209 emails of the SpamAssassin test split: give at most 1209/ },
  { name: 'accuracy.subsetExamples not below maxExamples (no cheaper rung: ignored)', ...yaml(BERT.replace('metric: energy_j', 'metric: accuracy') + 'accuracy: { model: spam-bert, maxExamples: 64, subsetExamples: 96 }\n'), argv: run(), code: 2, re: /s\.yaml:11:\d+: accuracy\.subsetExamples: 96 is not fewer than maxExamples 64: the first estimate would be the full evaluation, and subsetExamples would be ignored/ },
  { name: 'accuracy.subsetExamples not below an LM\'s default 64 windows', ...yaml(TINY.replace('metric: energy_j', 'metric: perplexity') + 'accuracy: { model: sotu-char, subsetExamples: 64 }\n'), argv: run(), code: 2, re: /accuracy\.subsetExamples: 64 is not fewer than the full evaluation's 64 windows \(no maxExamples\)/ },
  { name: 'a GPT-2 benchmark (6 + 4 bits) with a classifier accuracy model', ...yaml(BENCH.replace('metric: energy_j', 'metric: accuracy') + 'accuracy: { model: spam-bert, maxExamples: 4 }\n'), argv: run(), code: 2, re: /workload\.benchmark: benchmark gpt2-small-ptb sets lsbBits 4, with the classifier spam-bert in the accuracy block: .*add algo: \{ lsbBits: 0 \}/ },
  { name: 'simulate --accuracy a classifier with lsbBits > 0', argv: () => ['simulate', '-w', 'gpt2-small', '--set', 'algo.lsbBits=4', '--accuracy', 'spam-bert', '--accuracy-examples', '4'], code: 2, re: /^error: --accuracy spam-bert with algo\.lsbBits 4: spam-bert is a classifier, quantized statically: it measures no LSB refetch.*--set algo\.lsbBits=0\n$/ },
  { name: 'LSB refetch swept on an encoder', ...yaml(withParam(BERT, 'algo.lsbThreshold: [0.05, 0.1]')), argv: run(), code: 2, re: /parameters\.algo\.lsbThreshold: algo\.lsbThreshold does not apply: bert-base is an encoder/ },
  { name: 'trace workload that does not exist', ...yaml(TINY.replace('{ model: gpt2-small, stage: generation, seqLen: 128, genTokens: 4 }', '{ trace: no/such/trace.csv }').replace('  algo.tokenKeep: [0.5, 1.0]\n', '')), argv: run(), code: 2, re: /^error: .*s\.yaml:2:20: workload\.trace: no such file "no\/such\/trace\.csv"\n$/ },
  { name: 'trace workload that is a folder', ...yaml(TINY.replace('{ model: gpt2-small, stage: generation, seqLen: 128, genTokens: 4 }', '{ trace: sim/workload/traces }').replace('  algo.tokenKeep: [0.5, 1.0]\n', '')), argv: run(), code: 2, re: /^error: .*s\.yaml:2:20: workload\.trace: "sim\/workload\/traces" is a folder, not a trace file\n$/ },
  { name: 'trace workload that is /dev/zero: refused from its first 4 KB (read whole, it never ended)', ...yaml(TINY.replace('{ model: gpt2-small, stage: generation, seqLen: 128, genTokens: 4 }', '{ trace: /dev/zero }').replace('  algo.tokenKeep: [0.5, 1.0]\n', '')), argv: run(), code: 2, re: /^error: \S*s\.yaml:2:20: workload\.trace \/dev\/zero: not a text file \(it contains NUL bytes\); expected a CSV trace\n$/ },
  { name: 'trace workload that is a binary file', ...yaml(TINY.replace('{ model: gpt2-small, stage: generation, seqLen: 128, genTokens: 4 }', `{ trace: ${process.execPath} }`).replace('  algo.tokenKeep: [0.5, 1.0]\n', '')), argv: run(), code: 2, re: /^error: \S*s\.yaml:2:20: workload\.trace \S+: not a text file \(it contains NUL bytes\); expected a CSV trace\n$/ },
  { name: 'trace workload that is empty', files: { 's.yaml': TINY.replace('{ model: gpt2-small, stage: generation, seqLen: 128, genTokens: 4 }', '{ trace: empty.csv }').replace('  algo.tokenKeep: [0.5, 1.0]\n', ''), 'empty.csv': '' }, argv: run(), code: 2, re: /^error: .*s\.yaml:2:20: workload: .*empty\.csv:1: empty file: expected a header line\n$/ },
  { name: 'trace workload sweeping an algo knob it fixes', ...yaml(TINY.replace('{ model: gpt2-small, stage: generation, seqLen: 128, genTokens: 4 }', '{ trace: sim/workload/traces/small.csv }')), argv: run(), code: 2, re: /^error: .*s\.yaml:9:3: parameters\.algo\.tokenKeep: the trace fixes the pruning and quantization \(its rows give every head's kept keys and values and their bit widths\): sweeping algo\.tokenKeep would change nothing; remove it, or drop the trace\n$/ },
  { name: 'trace workload with an algo block and an accuracy block', ...yaml(TINY.replace('{ model: gpt2-small, stage: generation, seqLen: 128, genTokens: 4 }', '{ trace: sim/workload/traces/small.csv }').replace('  algo.tokenKeep: [0.5, 1.0]\n', '') + 'algo: { msbBits: 4 }\naccuracy: { model: spam-bert, maxExamples: 32 }\n'), argv: run(), code: 2, re: /s\.yaml:\d+:\d+: algo\.msbBits: the trace fixes the pruning and quantization .*: this msbBits would be ignored; remove it, or drop the trace\n.*s\.yaml:\d+:1: accuracy: the trace fixes the pruning and quantization .*: the accuracy engine's measured pruning cannot drive it, so its accuracy would be another configuration's; remove the accuracy block, or drop the trace\n$/ },
  { name: 'trace workload with workload.* parameters', ...yaml(withParam(TINY.replace('{ model: gpt2-small, stage: generation, seqLen: 128, genTokens: 4 }', '{ trace: sim/workload/traces/small.csv }'), 'workload.seqLen: [64, 128]')), argv: run(), code: 2, re: /workload\.trace: a trace workload cannot be combined with workload\.\* parameters/ },
  { name: 'benchmark with a seqLen beside it', ...yaml(BENCH.replace('gpt2-small-ptb }', 'gpt2-small-ptb, seqLen: 64 }')), argv: run(), code: 2, re: /s\.yaml:2:\d+: workload\.seqLen: benchmark gpt2-small-ptb fixes model, stage, seqLen, genTokens: this seqLen would be ignored/ },
  { name: 'benchmark with workload.* parameters', ...yaml(withParam(BENCH, 'workload.genTokens: [8, 16]')), argv: run(), code: 2, re: /s\.yaml:10:3: parameters\.workload\.genTokens: benchmark gpt2-small-ptb fixes .*: sweeping workload\.genTokens would change nothing/ },
  { name: 'swept benchmark with a swept model', ...yaml(withParam(BENCH.replace('{ benchmark: gpt2-small-ptb }', '{ scope: e2e }'), 'workload.benchmark: [gpt2-small-ptb, gpt2-medium-ptb]\n  workload.model: [gpt2-small, gpt2-medium]')), argv: run(), code: 2, re: /parameters\.workload\.model: a swept workload\.benchmark fixes model, stage, seqLen, genTokens/ },
  { name: 'LSB refetch swept on a BERT benchmark', ...yaml(withParam(BENCH.replace('gpt2-small-ptb', 'bert-base-cola'), 'algo.lsbBits: [0, 4]')), argv: run(), code: 2, re: /parameters\.algo\.lsbBits: algo\.lsbBits does not apply: bert-base is an encoder/ },
  // --- size guards ---
  {
    name: '10^12-point grid',
    ...yaml(TINY.replace(/  hw\.dramChannels.*\n  algo\.tokenKeep.*\n/, ['hw.clockGHz: { range: [0.1, 10], step: 0.1 }', 'hw.qkMultipliers: { range: [1, 1000], step: 1 }', 'hw.pvMultipliers: { range: [1, 1000], step: 1 }', 'hw.topkParallelism: { range: [1, 100], step: 1 }', 'hw.dramChannels: { range: [1, 100], step: 1 }'].map((l) => `  ${l}\n`).join(''))),
    argv: run(),
    code: 2,
    re: /parameters: the grid has 1\.00×10\^12 points \(100 × 1000 × 1000 × 100 × 100\), above the limit of 1\.00×10\^7: sample it instead .*--max-points/,
  },
  { name: 'grid above a lowered --max-points', ...yaml(TINY), argv: run('--max-points', '5'), code: 2, re: /the grid has 6 points \(3 × 2\), above the limit of 5/ },
  { name: 'range with 6×10^7 values', ...yaml(withParam(TINY, 'hw.keySramKB: { range: [1, 60000], step: 0.001 }')), argv: run(), code: 2, re: /parameters\.hw\.keySramKB\.step: the range has 6\.00×10\^7 values/ },
  { name: 'lhs asked for 10^9 samples', ...yaml(TINY.replace('search: { driver: grid }', 'search: { driver: lhs, samples: 1000000000 }')), argv: run(), code: 2, re: /search: samples = 1\.00×10\^9 evaluations, above the limit/ },
  { name: 'grid given samples (read by random/lhs only)', ...yaml(TINY.replace('search: { driver: grid }', 'search: { driver: grid, samples: 10 }')), argv: run(), code: 2, re: /s\.yaml:10:25: search\.samples: not read by driver grid \(only by random, lhs\): it evaluates every one of its grid points/ },
  { name: 'nsga2 given samples', ...yaml(TINY.replace('search: { driver: grid }', 'search: { driver: nsga2, samples: 200 }')), argv: run(), code: 2, re: /search\.samples: not read by driver nsga2 \(only by random, lhs\): its budget is population × generations/ },
  { name: 'random given population', ...yaml(TINY.replace('search: { driver: grid }', 'search: { driver: random, samples: 4, population: 20 }')), argv: run(), code: 2, re: /search\.population: not read by driver random \(only by nsga2\)/ },
  { name: 'report normalised at a value never swept', ...yaml(TINY + 'report: { x: hw.dramChannels, y: gops, normalize: { hw.dramChannels: 32 } }\n'), argv: run(), code: 2, re: /s\.yaml:11:\d+: report\.normalize\.hw\.dramChannels: 32 is not one of the values of hw\.dramChannels \(4, 8, 16\), so no point would normalise the chart/ },
  // --- run options ---
  { name: '--jobs not a number', ...yaml(TINY), argv: run('--jobs', 'two'), code: 2, re: /--jobs: expected a positive integer, got "two"/ },
  { name: '--jobs 0', ...yaml(TINY), argv: run('--jobs', '0'), code: 2, re: /--jobs: expected a positive integer, got "0"/ },
  { name: '--max-evals 1.5', ...yaml(TINY), argv: run('--max-evals', '1.5'), code: 2, re: /--max-evals: expected a positive integer/ },
  { name: '--time-limit overflow (1e400)', ...yaml(TINY), argv: run('--time-limit', '1e400'), code: 2, re: /--time-limit: expected a positive number, got "1e400"/ },
  { name: '--seed not an integer', ...yaml(TINY), argv: run('--seed', '1.5'), code: 2, re: /--seed: expected an integer/ },
  { name: '--seed overflow (1e30)', ...yaml(TINY), argv: run('--seed', '1e30'), code: 2, re: /--seed: expected an integer/ },
  { name: '--max-points not a number', ...yaml(TINY), argv: run('--max-points', 'many'), code: 2, re: /--max-points: expected a positive integer/ },
  { name: '--interactive with --no-report', ...yaml(TINY), argv: run('--interactive'), code: 2, re: /--interactive and --no-report contradict each other/ },
  { name: '--progress unknown mode', ...yaml(TINY), argv: run('--progress', 'fancy'), code: 2, re: /argument 'fancy' is invalid/ },
  { name: 'unknown option (typo)', ...yaml(TINY), argv: run('--jbos', '2'), code: 2, re: /unknown option '--jbos'\n\(Did you mean --jobs\?\)/ },
  { name: 'unknown command (typo)', argv: () => ['rnu', 'x.yaml'], code: 2, re: /unknown command 'rnu'\n\(Did you mean run\?\)/ },
  { name: 'help of an unknown command (typo)', argv: () => ['help', 'rnu'], code: 2, re: /^error: unknown command 'rnu'\n\(Did you mean run\?\)/ },
  { name: '--fresh with --resume', ...yaml(TINY), argv: run('--fresh', '--resume'), code: 2, re: /--fresh and --resume contradict each other/ },
  // --- folders: --out, --reuse, the journal ---
  { name: '--out is a file', ...yaml(TINY), setup: (d) => writeFileSync(out(d), 'mine'), argv: run(), code: 2, re: /--out .*out: exists and is a file, not a folder/ },
  { name: '--out under a file', ...yaml(TINY), setup: (d) => writeFileSync(path.join(d, 'f'), 'mine'), argv: (d) => ['run', space(d), '--out', path.join(d, 'f', 'sub'), '--progress', 'none'], code: 2, re: /--out .*f\/sub: a component of the path is a file, not a folder \(ENOTDIR\)/ },
  { name: '--out a dangling symbolic link', ...yaml(TINY), setup: (d) => symlinkSync(path.join(d, 'nowhere'), out(d)), argv: run(), code: 2, re: /--out .*out: .*out is a symbolic link to .*nowhere, which does not exist/ },
  { name: '--out under a dangling symbolic link', ...yaml(TINY), setup: (d) => symlinkSync(path.join(d, 'nowhere'), path.join(d, 'link')), argv: (d) => ['run', space(d), '--out', path.join(d, 'link', 'sub'), '--progress', 'none'], code: 2, re: /--out .*link\/sub: .*link is a symbolic link to .*nowhere, which does not exist/ },
  { name: '--out in /proc (used to spin forever)', ...yaml(TINY), argv: (d) => ['run', space(d), '--out', '/proc/nope/x', '--progress', 'none'], code: 2, re: /--out \/proc\/nope\/x: cannot create \/proc\/nope: no such file or folder \(ENOENT\)/, absent: ['/proc/nope'] },
  { name: '--out where writing is not permitted', ...yaml(TINY), argv: (d) => ['run', space(d), '--out', '/sys/spatten-x', '--progress', 'none'], code: 2, re: /--out \/sys\/spatten-x: cannot create \/sys\/spatten-x: operation not permitted \(EPERM\)/, absent: ['/sys/spatten-x'] },
  { name: '--out onto an unrelated non-empty folder', ...yaml(TINY), setup: (d) => (mkdirSync(out(d)), writeFileSync(path.join(out(d), 'points.csv'), 'my data\n'), writeFileSync(path.join(out(d), 'notes.txt'), 'x')), argv: run(), code: 2, re: /the folder is not empty \(notes\.txt, points\.csv\) and is not a results folder of spatten-dse; .*--force/ },
  { name: '--reuse path mistyped (existing journal untouched)', ...yaml(TINY), setup: finishedRun, argv: (d) => ['run', space(d, 'tiny.yaml'), '--out', out(d), '--reuse', path.join(d, 'no-such-run'), '--progress', 'none'], code: 2, re: /--reuse .*no-such-run: no such file or folder \(ENOENT\)/ },
  { name: '--reuse folder without a journal', ...yaml(TINY), setup: (d) => mkdirSync(path.join(d, 'empty')), argv: (d) => [...run()(d), '--reuse', path.join(d, 'empty')], code: 2, re: /--reuse .*empty: no journal\.jsonl there/ },
  { name: '--reuse naming the --out folder itself', ...yaml(TINY), setup: finishedRun, argv: (d) => ['run', space(d, 'tiny.yaml'), '--out', out(d), '--reuse', out(d) + '/', '--progress', 'none'], code: 2, re: /^error: --reuse .*out\/: that is this run's own output folder \(--out .*out\), whose journal the run continues anyway \(a rerun reuses every matching evaluation there\); --reuse is for other run folders: drop it, or name another folder\n$/ },
  { name: '--reuse naming the --out folder through a link, with --fresh', ...yaml(TINY), setup: async (d) => (await finishedRun(d), symlinkSync(out(d), path.join(d, 'link'))), argv: (d) => ['run', space(d, 'tiny.yaml'), '--out', out(d), '--reuse', path.join(d, 'link'), '--fresh', '--progress', 'none'], code: 2, re: /^error: --reuse .*link: that is this run's own output folder \(--out .*out\), whose journal --fresh discards: it cannot be both started over and reused; drop --fresh to continue it, or drop this --reuse\n$/ },
  // same workload and base design (the same evaluations), another space: its outputs would replace the first one's
  { name: 'another space with the same workload on a folder with a journal', ...yaml(TINY.replace('name: tiny', 'name: other')), setup: finishedRun, argv: run(), code: 2, re: /holds the evaluations of space "tiny" .*, not of "other"; rerun with --fresh/ },
  { name: 'another space on a folder with a journal', ...yaml(TINY.replace('name: tiny', 'name: other').replace('seqLen: 128', 'seqLen: 256')), setup: finishedRun, argv: run(), code: 2, re: /holds the evaluations of space "tiny" .*, not of "other"; rerun with --fresh to discard it and start over, or choose another --out folder/ },
  // --- report ---
  {
    name: 'report: a first run still writing the folder',
    setup: (d) => {
      mkdirSync(out(d), { recursive: true });
      writeFileSync(path.join(out(d), 'journal.jsonl'), '');
      writeFileSync(path.join(out(d), '.lock'), JSON.stringify({ pid: process.pid, host: os.hostname(), startedAt: new Date().toISOString() }) + '\n');
    },
    argv: (d) => ['report', out(d)],
    code: 2,
    re: /out: a run \(pid \d+ on .*\) is still writing this folder; its run\.json appears when that run ends/,
  },
  {
    // a rerun (or a continued run) writing a folder with an earlier run's outputs: its report.html is not redrawn from them
    name: 'report: a rerun still writing a folder with earlier outputs',
    setup: async (d) => {
      await finishedRun(d);
      writeFileSync(path.join(out(d), '.lock'), JSON.stringify({ pid: process.pid, host: os.hostname(), startedAt: new Date().toISOString() }) + '\n');
    },
    argv: (d) => ['report', out(d)],
    code: 2,
    re: /out: a run \(pid \d+ on .*\) is still writing this folder; it replaces run\.json, points\.csv and report\.html when it ends: run report after that/,
  },
  { name: 'report: folder missing', argv: (d) => ['report', path.join(d, 'nope')], code: 2, re: /results folder not found: / },
  { name: 'report: run.json malformed', setup: async (d) => (await finishedRun(d), writeFileSync(path.join(out(d), 'run.json'), '{"name": 3}')), argv: (d) => ['report', out(d)], code: 2, re: /run\.json is malformed: "name": Invalid input: expected string, received number/ },
  { name: 'report: run.json an empty object: each field "missing"', setup: async (d) => (await finishedRun(d), writeFileSync(path.join(out(d), 'run.json'), '{}')), argv: (d) => ['report', out(d)], code: 2, re: /run\.json is malformed: "name": missing; "space": missing; "objectives": missing; "parameters": missing; "metrics": missing\n$/ },
  { name: 'report: points.csv truncated', setup: async (d) => (await finishedRun(d), writeFileSync(path.join(out(d), 'points.csv'), readFileSync(path.join(out(d), 'points.csv'), 'utf8').split('\n').slice(0, 4).join('\n') + '\n')), argv: (d) => ['report', out(d)], code: 2, re: /points\.csv: 3 rows, but run\.json counts 6 points/ },
  {
    // cut inside the last row (the row count still matches run.json): the short row is named
    name: 'report: points.csv cut inside its last row',
    setup: async (d) => {
      await finishedRun(d);
      const f = path.join(out(d), 'points.csv');
      const text = readFileSync(f, 'utf8');
      writeFileSync(f, text.slice(0, text.lastIndexOf(',', text.length - 20)));
    },
    argv: (d) => ['report', out(d)],
    code: 2,
    re: /points\.csv: line 7: \d+ cells, the header has \d+ \(truncated or edited\?\)/,
  },
  {
    name: 'report: points.csv ends inside a quoted cell',
    setup: async (d) => {
      await finishedRun(d);
      const f = path.join(out(d), 'points.csv');
      writeFileSync(f, readFileSync(f, 'utf8') + '6,"an error message cut sho');
    },
    argv: (d) => ['report', out(d)],
    code: 2,
    re: /points\.csv: line 8: the file ends inside a quoted cell \(truncated\?\)/,
  },
  {
    name: 'report: latency_s column missing',
    setup: async (d) => {
      await finishedRun(d);
      const f = path.join(out(d), 'points.csv');
      writeFileSync(f, readFileSync(f, 'utf8').replace('latency_s', 'latency'));
    },
    argv: (d) => ['report', out(d)],
    code: 2,
    re: /points\.csv: missing column "latency_s" \(run\.json lists it\)/,
  },
  {
    name: 'report: "abc" in a numeric cell',
    setup: async (d) => {
      await finishedRun(d);
      const f = path.join(out(d), 'points.csv');
      const lines = readFileSync(f, 'utf8').split('\n');
      const col = lines[0].split(',').indexOf('energy_j');
      const cells = lines[2].split(',');
      cells[col] = 'abc';
      lines[2] = cells.join(',');
      writeFileSync(f, lines.join('\n'));
    },
    argv: (d) => ['report', out(d)],
    code: 2,
    re: /points\.csv: line 3: column "energy_j": "abc" is not a number/,
  },
  { name: 'report: comparison --out is a folder', setup: finishedRun, argv: (d) => ['report', out(d), out(d), '--out', d], code: 2, re: /^error: --out .*: is a folder; give a file name, e\.g\. .*\/compare\.html\n$/ },
  { name: 'report: comparison --out under a file', setup: async (d) => (await finishedRun(d), writeFileSync(path.join(d, 'f'), 'mine')), argv: (d) => ['report', out(d), out(d), '--out', path.join(d, 'f', 'c.html')], code: 2, re: /^error: --out .*\/f\/c\.html: a component of the path is a file, not a folder \(ENOTDIR\)\n$/ },
  { name: 'reproduce --report under a file', files: { f: 'mine' }, argv: (d) => ['reproduce', 'sram', '--report', path.join(d, 'f', 'r.html')], code: 2, re: /^error: --report .*\/f\/r\.html: a component of the path is a file, not a folder \(ENOTDIR\)\n$/ },
  // --- simulate ---
  { name: 'simulate --seq-len 1e6 (overflow)', argv: () => ['simulate', '--seq-len', '1e6'], code: 2, re: /^error: --seq-len: 1e6 is too large \(at most 16384\)\n$/ },
  { name: 'simulate --gen-tokens 0', argv: () => ['simulate', '--gen-tokens', '0'], code: 2, re: /--gen-tokens: expected a positive integer/ },
  { name: 'simulate --set hw.wordBits below the key width', argv: () => ['simulate', '-w', 'gpt2-small', '--set', 'hw.wordBits=8'], code: 2, re: /^error: --set hw\.wordBits=8: hw\.wordBits 8 is below the 12 bits this point needs: the key, algo\.msbBits = 12 bits, is stored in one word; hw\.wordBits must be at least 12 \(or narrow the data\)\n$/ },
  { name: 'simulate --set algo.lsbBits=4 on the 12-bit MSBs (16-bit keys on a 12-bit word)', argv: () => ['simulate', '-w', 'gpt2-small', '--set', 'algo.lsbBits=4'], code: 2, re: /^error: --set algo\.lsbBits=4: hw\.wordBits 12 is below the 16 bits this point needs: the key, algo\.msbBits \+ algo\.lsbBits = 12 \+ 4 bits/ },
  { name: 'simulate --scope e2e, FC weights wider than the word', argv: () => ['simulate', '-w', 'gpt2-small', '--scope', 'e2e', '--set', 'hw.wordBits=8', '--set', 'algo.msbBits=8', '--set', 'algo.fcWeightBits=12'], code: 2, re: /^error: --set hw\.wordBits=8, --set algo\.fcWeightBits=12: hw\.wordBits 8 is below the 12 bits this point needs: the FC weights, algo\.fcWeightBits = 12 bits \(scope e2e\), go through the multipliers, one MAC per cycle; hw\.wordBits must be at least 12/ },
  { name: 'simulate --trace, hw.wordBits below the trace\'s 6 + 4-bit keys', argv: () => ['simulate', '--trace', PER8, '--set', 'hw.wordBits=8'], code: 2, re: /^error: --set hw\.wordBits=8: hw\.wordBits 8 is below the 10 bits this point needs: the trace summary-gpt2-small-wikitext2-per8\.csv's keys are 6-bit MSBs \+ 4-bit refetched LSBs = 10 bits in one word \(from iteration 0, layer 0, head 0\); hw\.wordBits must be at least 10 \(the trace fixes its widths\)\n$/ },
  { name: 'compare --set hw.wordBits below the 8-bit values', argv: () => ['compare', '--set', 'hw.wordBits=6'], code: 2, re: /^error: --set hw\.wordBits=6: hw\.wordBits 6 is below the 8 bits this point needs/ },
  { name: 'simulate encoder + generation', argv: () => ['simulate', '-w', 'bert-base', '--stage', 'generation'], code: 2, re: /--stage generation: bert-base is an encoder/ },
  { name: 'simulate --set workload.model=<encoder> (generation by default)', argv: () => ['simulate', '--set', 'workload.model=bert-base'], code: 2, re: /^error: --set workload\.model=bert-base: bert-base is an encoder, only the summarization stage applies \(add --stage summarization\)\n$/ },
  { name: 'simulate encoder + --set workload.stage=generation', argv: () => ['simulate', '-w', 'bert-large', '--set', 'workload.stage=generation'], code: 2, re: /^error: --set workload\.stage=generation: bert-large is an encoder, only the summarization stage applies\n$/ },
  { name: 'compare --set workload.benchmark', argv: () => ['compare', '--set', 'workload.benchmark=bert-base-cola'], code: 2, re: /^error: --set workload\.benchmark=bert-base-cola: does not apply; compare's workload is a BERT model \(-w\) summarizing --seq-len tokens\n$/ },
  { name: 'compare --set workload.genTokens', argv: () => ['compare', '--set', 'workload.genTokens=5'], code: 2, re: /^error: --set workload\.genTokens=5: does not apply/ },
  { name: 'compare --set workload.scope=e2e', argv: () => ['compare', '--set', 'workload.scope=e2e'], code: 2, re: /^error: --set workload\.scope=e2e: does not apply; Table III compares attention accelerators \(A³ and MNNFast run attention only\), so compare runs the attention layers only\n$/ },
  { name: 'compare --set workload.model around -w', argv: () => ['compare', '--set', 'workload.model=gpt2-small'], code: 2, re: /^error: --set workload\.model=gpt2-small: give the model as -w \(bert-base or bert-large\)\n$/ },
  { name: 'compare --set workload.stage=generation', argv: () => ['compare', '--set', 'workload.stage=generation'], code: 2, re: /^error: --set workload\.stage=generation: bert-base is an encoder, only the summarization stage applies\n$/ },
  { name: 'simulate --accuracy unknown model', argv: () => ['simulate', '--accuracy', 'spam-bret'], code: 2, re: /^error: --accuracy: model 'spam-bret': neither a shipped checkpoint .* nor a folder with config\.json \(did you mean "spam-bert"\?\)\n$/ },
  { name: 'simulate --set of one key twice with two values', argv: () => ['simulate', '--set', 'hw.dramChannels=32', '--set', 'hw.dramChannels=16'], code: 2, re: /^error: --set hw\.dramChannels=16: hw\.dramChannels is given twice with different values \(also --set hw\.dramChannels=32\); give it once\n$/ },
  { name: 'accuracy --model a name near no shipped checkpoint: the shipped ones listed', argv: () => ['accuracy', '--model', 'spam'], code: 2, re: /^error: --model: model 'spam': neither a shipped checkpoint .* nor a folder with config\.json \(shipped: (?:[\w-]+, )*sotu-char, (?:[\w-]+, )*spam-bert\)\n$/ },
  { name: 'logits --model a name near no shipped checkpoint: the shipped ones listed', argv: () => ['logits', '--model', 'gpt2', '--ids', '1,2'], code: 2, re: /^error: --model: model 'gpt2': neither a shipped checkpoint .* nor a folder with config\.json \(shipped: (?:[\w-]+, )*sotu-gpt, spam-bert\)\n$/ },
  { name: 'simulate --accuracy a folder without config.json', argv: (d) => ['simulate', '--accuracy', d], code: 2, re: /^error: --accuracy: model '.*': neither a shipped checkpoint .* nor a folder with config\.json\n$/ },
  { name: 'accuracy --model a folder with pytorch_model.bin only', files: { 'ck/config.json': readFileSync(path.join(ROOT, 'test/fixtures/hf-reference/bert-tiny/config.json'), 'utf8'), 'ck/vocab.txt': readFileSync(path.join(ROOT, 'test/fixtures/hf-reference/bert-tiny/vocab.txt'), 'utf8'), 'ck/pytorch_model.bin': 'PK' }, argv: (d) => ['accuracy', '--model', path.join(d, 'ck'), '--max-examples', '2'], code: 2, re: /^error: .*ck: no model\.safetensors \(pytorch_model\.bin is not read: save the model with save_pretrained\(safe_serialization=True\), or convert the file to model\.safetensors\)\n$/ },
  { name: 'simulate --accuracy a folder of an unsupported model', files: { 'ck/config.json': '{"model_type": "llama"}' }, argv: (d) => ['simulate', '--accuracy', path.join(d, 'ck'), '--accuracy-examples', '2'], code: 2, re: /^error: .*ck\/config\.json: 'model_type': unsupported model_type 'llama'/ },
  { name: 'simulate --fidelity cycle, key SRAM below one line pair', argv: () => ['simulate', '--fidelity', 'cycle', '--set', 'hw.keySramKB=1', '--seq-len', '64', '--gen-tokens', '2'], code: 2, re: /^error: --set hw\.keySramKB=1: the cycle model needs at least 1\.54 KB of key SRAM \(two key-buffer lines of hw\.qkMultipliers × hw\.wordBits = 512 × 12 bits\)\n$/ },
  { name: 'simulate --fidelity cycle, value SRAM below one line pair', argv: () => ['simulate', '--fidelity', 'cycle', '--set', 'hw.valueSramKB=1', '--seq-len', '64', '--gen-tokens', '2'], code: 2, re: /^error: --set hw\.valueSramKB=1: the cycle model needs at least 1\.54 KB of value SRAM/ },
  { name: 'compare --fidelity cycle, value SRAM below one line pair', argv: () => ['compare', '--fidelity', 'cycle', '--set', 'hw.valueSramKB=0.1'], code: 2, re: /^error: --set hw\.valueSramKB=0\.1: the cycle model needs at least 0\.192 KB of value SRAM \(two value-buffer lines of hw\.pvMultipliers × hw\.wordBits = 64 × 12 bits\)\n$/ },
  { name: 'compare --fidelity and its old name --model at once', argv: () => ['compare', '--fidelity', 'cycle', '--model', 'analytical'], code: 2, re: /^error: give --fidelity only \(--model is its deprecated old name\)\n$/ },
  { name: 'reproduce --fidelity and its old name --model at once', argv: () => ['reproduce', 'fig19a', '--fidelity', 'analytical', '--model', 'analytical'], code: 2, re: /^error: give --fidelity only \(--model is its deprecated old name\)\n$/ },
  { name: 'reproduce --fidelity an unknown model', argv: () => ['reproduce', 'fig19a', '--fidelity', 'rtl'], code: 2, re: /--fidelity <name>' argument 'rtl' is invalid\. Allowed choices are analytical, cycle/ },
  { name: 'simulate --gen-tokens on an encoder', argv: () => ['simulate', '-w', 'bert-base', '--gen-tokens', '4'], code: 2, re: /^error: --gen-tokens 4: does not apply, bert-base runs the summarization stage \(no tokens are generated\); drop it\n$/ },
  { name: 'simulate --gen-tokens with --stage summarization', argv: () => ['simulate', '--stage', 'summarization', '--gen-tokens', '5'], code: 2, re: /^error: --gen-tokens 5: does not apply, gpt2-medium runs the summarization stage .*; drop it or give --stage generation\n$/ },
  { name: 'simulate --accuracy-examples without --accuracy', argv: () => ['simulate', '--accuracy-examples', '3'], code: 2, re: /^error: --accuracy-examples 3: only with --accuracy MODEL; add --accuracy or drop --accuracy-examples\n$/ },
  { name: 'simulate --trace with --workload and --seq-len', argv: () => ['simulate', '-w', 'gpt2-small', '--trace', 'sim/workload/traces/small.csv', '--seq-len', '64'], code: 2, re: /^error: --trace sim\/workload\/traces\/small\.csv: the trace fixes the model, stage and lengths; drop --workload, --seq-len\n$/ },
  { name: 'simulate benchmark + --set workload.seqLen', argv: () => ['simulate', '-w', 'bert-base-cola', '--set', 'workload.seqLen=64'], code: 2, re: /^error: --set workload\.seqLen=64: --workload bert-base-cola fixes the model, stage and lengths\n$/ },
  { name: 'simulate --set workload.benchmark', argv: () => ['simulate', '-w', 'bert-base', '--set', 'workload.benchmark=bert-base-cola'], code: 2, re: /^error: --set workload\.benchmark=bert-base-cola: give a benchmark as --workload bert-base-cola/ },
  { name: 'simulate --trace with --set of an algo knob the trace fixes', argv: () => ['simulate', '--trace', 'sim/workload/traces/small.csv', '--set', 'algo.msbBits=4'], code: 2, re: /^error: --set algo\.msbBits=4: --trace sim\/workload\/traces\/small\.csv fixes the pruning and quantization \(its rows give every head's kept keys and values and their bit widths\), so algo\.msbBits would be ignored; drop it\n$/ },
  { name: 'simulate --trace with --accuracy', argv: () => ['simulate', '--trace', 'sim/workload/traces/small.csv', '--accuracy', 'spam-bert'], code: 2, re: /^error: --accuracy spam-bert: --trace sim\/workload\/traces\/small\.csv fixes the pruning, so the accuracy engine's measured pruning cannot drive it \(its accuracy would be another configuration's\); drop one\n$/ },
  { name: 'simulate --trace binary file', argv: () => ['simulate', '--trace', process.execPath], code: 2, re: /^error: --trace .*: not a text file \(it contains NUL bytes\); expected a CSV trace\n$/ },
  { name: 'simulate --trace missing', argv: (d) => ['simulate', '--trace', path.join(d, 'no.csv')], code: 2, re: /--trace .*no\.csv: no such file or folder \(ENOENT\)/ },
  { name: 'simulate --trace with an extra header column', files: { 't.csv': 'iteration_id,layer_id,head_id,embedding_length_D,sentence_length_L,key_fetch_num,quant_key_bit,quant_query_bit,auto_requant_thres,if_requant,auto_requant_incre,value_fetch_num,quant_value_bit,if_accumulate_importance,if_rescale_previous_importance,if_topk,topk,if_topkk\n0,0,0,64.0,993,993,-1,-1,-1,False,-1,993,-1,True,False,False,-1,1\n' }, argv: (d) => ['simulate', '--trace', path.join(d, 't.csv'), '--json'], code: 2, re: /^error: --trace \S*t\.csv: \S*t\.csv:1:18 \(if_topkk\): unknown column 'if_topkk' \(column 18\); expected the 17 columns \(in any order\): iteration_id,layer_id,.*,if_topk,topk\n$/ },
  { name: 'simulate --trace with a non-integer iteration_id', files: { 't.csv': 'iteration_id,layer_id,head_id,embedding_length_D,sentence_length_L,key_fetch_num,quant_key_bit,quant_query_bit,auto_requant_thres,if_requant,auto_requant_incre,value_fetch_num,quant_value_bit,if_accumulate_importance,if_rescale_previous_importance,if_topk,topk\n0,0,0,64.0,993,993,-1,-1,-1,False,-1,993,-1,True,False,False,-1\n1.5,0,0,64.0,993,993,-1,-1,-1,False,-1,993,-1,True,False,False,-1\n' }, argv: (d) => ['simulate', '--trace', path.join(d, 't.csv'), '--json'], code: 2, re: /^error: --trace \S*t\.csv: \S*t\.csv:3:1 \(iteration_id\): iteration_id '1\.5' is not an integer/ },
  { name: 'simulate --trace with a misspelt header column', files: { 't.csv': 'iteraton_id,layer_id,head_id,embedding_length_D,sentence_length_L,key_fetch_num,quant_key_bit,quant_query_bit,auto_requant_thres,if_requant,auto_requant_incre,value_fetch_num,quant_value_bit,if_accumulate_importance,if_rescale_previous_importance,if_topk,topk\n0,0,0,64.0,993,993,-1,-1,-1,False,-1,993,-1,True,False,False,-1\n' }, argv: (d) => ['simulate', '--trace', path.join(d, 't.csv'), '--json'], code: 2, re: /^error: --trace \S*t\.csv: \S*t\.csv:1:1 \(iteration_id\): header lacks column 'iteration_id'; 'iteraton_id' \(column 1\) looks like a misspelling of it\n$/ },
  { name: 'simulate --trace with its columns permuted and a non-integer iteration_id: named at its column', files: { 't.csv': 'layer_id,head_id,embedding_length_D,sentence_length_L,key_fetch_num,quant_key_bit,quant_query_bit,auto_requant_thres,if_requant,auto_requant_incre,value_fetch_num,quant_value_bit,if_accumulate_importance,if_rescale_previous_importance,if_topk,topk,iteration_id\n0,0,64.0,993,993,-1,-1,-1,False,-1,993,-1,True,False,False,-1,0\n0,0,64.0,993,993,-1,-1,-1,False,-1,993,-1,True,False,False,-1,1.5\n' }, argv: (d) => ['simulate', '--trace', path.join(d, 't.csv'), '--json'], code: 2, re: /^error: --trace \S*t\.csv: \S*t\.csv:3:17 \(iteration_id\): iteration_id '1\.5' is not an integer \(a trailing config line must have empty other cells; layer_id is '0'\)\n$/ },
  { name: 'simulate --trace not a trace', files: { 't.csv': 'a,b\n1,2\n' }, argv: (d) => ['simulate', '--trace', path.join(d, 't.csv')], code: 2, re: /--trace .*t\.csv: .*header lacks column/ },
  { name: 'simulate --set hw.clockGHz=1e-320: latency beyond the doubles refused, not printed as Infinity / null', argv: () => ['simulate', '--set', 'hw.clockGHz=1e-320', '--json'], code: 2, re: /^error: the hardware model computed latency_s Infinity, energy_j Infinity, power_w NaN, edp_js Infinity on this point: a value given is beyond the range the model computes in doubles \(--set hw\.clockGHz=1e-320\)\n$/ },
  { name: 'simulate --set hw.dramChannelGBps=1e-300 (a normal double): the DRAM cycles reach the top of the doubles (1.7e308) and the energy overflows, refused', argv: () => ['simulate', '--set', 'hw.dramChannelGBps=1e-300'], code: 2, re: /^error: the hardware model computed energy_j Infinity, power_w Infinity, edp_js Infinity on this point: a value given is beyond the range the model computes in doubles \(--set hw\.dramChannelGBps=1e-300\)\n$/ },
  { name: 'simulate --set unknown key (typo)', argv: () => ['simulate', '--set', 'hw.topkParalelism=4'], code: 2, re: /--set hw\.topkParalelism=4: unknown parameter "hw\.topkParalelism" \(did you mean "hw\.topkParallelism"\?\)/ },
  { name: 'simulate --set value not a number', argv: () => ['simulate', '--set', 'hw.dramChannels=many'], code: 2, re: /--set hw\.dramChannels=many: hw\.dramChannels: / },
  { name: 'simulate --set misspelt choice', argv: () => ['simulate', '--set', 'hw.topkModel=oficial-rtl'], code: 2, re: /^error: --set hw\.topkModel=oficial-rtl: hw\.topkModel: "oficial-rtl" is not one of paper, official-rtl \(did you mean "official-rtl"\?\)\n$/ },
  { name: 'simulate --set value outside a union of literals', argv: () => ['simulate', '--set', 'algo.fcWeightBits=10'], code: 2, re: /^error: --set algo\.fcWeightBits=10: algo\.fcWeightBits: 10 is not one of 8, 12\n$/ },
  { name: 'simulate --set a hexadecimal number', argv: () => ['simulate', '--set', 'hw.topkParallelism=0x10'], code: 2, re: /^error: --set hw\.topkParallelism=0x10: hw\.topkParallelism: expected a decimal number, got "0x10"\n$/ },
  { name: 'accuracy --max-examples hexadecimal', argv: () => ['accuracy', '--model', 'sotu-char', '--max-examples', '0x10'], code: 2, re: /^error: --max-examples: expected a positive integer, got "0x10"\n/ },
  { name: 'accuracy --seed -1 (the 32-bit seed would wrap)', argv: () => ['accuracy', '--model', 'sotu-char', '--max-examples', '4', '--seed', '-1'], code: 2, re: /^error: --seed: expected an integer from 0 to 4294967295 \(a 32-bit seed\), got "-1"\n$/ },
  { name: 'compare --seq-len hexadecimal', argv: () => ['compare', '--seq-len', '0x40'], code: 2, re: /^error: --seq-len: expected a positive integer, got "0x40"\n/ },
  { name: 'worker --lock-duration of 1 ms', argv: () => ['worker', '--queue', 'redis://127.0.0.1:6390', '--lock-duration', '1'], code: 2, re: /^error: --lock-duration: 1 ms is too short \(at least 1000 ms: a job's lock is renewed every half of it, and a shorter one makes live workers' jobs look stalled and run again\)\n$/ },
  { name: 'worker --stalled-interval of 999 ms', argv: () => ['worker', '--queue', 'redis://127.0.0.1:6390', '--stalled-interval', '999'], code: 2, re: /^error: --stalled-interval: 999 ms is too short \(at least 1000 ms/ },
  { name: 'worker --concurrency hexadecimal', argv: () => ['worker', '--queue', 'redis://127.0.0.1:6390', '--concurrency', '0x2'], code: 2, re: /^error: --concurrency: expected a positive integer, got "0x2"\n/ },
  { name: 'simulate --seq-len hexadecimal', argv: () => ['simulate', '--seq-len', '0x40'], code: 2, re: /^error: --seq-len: expected a positive integer, got "0x40"\n$/ },
  { name: 'accuracy --set algo.msbBits=1 (a signed 1-bit code has no nonzero level)', argv: () => ['accuracy', '--model', 'sotu-char', '--max-examples', '4', '--set', 'algo.msbBits=1', '--json'], code: 2, re: /--set algo\.msbBits=1: algo\.msbBits: .*>=2/ },
  { name: 'accuracy --set algo.valueBits=1', argv: () => ['accuracy', '--model', 'spam-bert', '--max-examples', '4', '--set', 'algo.valueBits=1'], code: 2, re: /--set algo\.valueBits=1: algo\.valueBits: expected 0 \(same as msbBits\) or a width from 2 to 32 bits/ },
  { name: 'accuracy --set algo.lsbBits on a classifier (static quantization, the setting would be ignored)', argv: () => ['accuracy', '--model', 'spam-bert', '--max-examples', '4', '--set', 'algo.msbBits=4', '--set', 'algo.lsbBits=4'], code: 2, re: /^error: --set algo\.lsbBits=4: does not apply to spam-bert, a classifier: BERT is quantized statically/ },
  { name: 'accuracy --set algo.tokenPolicy on a classifier', argv: () => ['accuracy', '--model', 'spam-bert', '--max-examples', '4', '--set', 'algo.tokenPolicy=llm'], code: 2, re: /^error: --set algo\.tokenPolicy=llm: does not apply to spam-bert, a classifier: the KV-token selection knobs act in the language models' generation stage only/ },
  { name: 'accuracy --set algo.recentTokens without the llm policy', argv: () => ['accuracy', '--model', 'sotu-char', '--max-examples', '4', '--set', 'algo.recentTokens=16'], code: 2, re: /^error: --set algo\.recentTokens=16: does not apply to sotu-char, a language model: it belongs to the llm token policy; add --set algo\.tokenPolicy=llm/ },
  { name: 'accuracy --set algo.lsbThreshold with progressive quantization off (lsbBits 0: no head refetches)', argv: () => ['accuracy', '--model', 'sotu-char', '--max-examples', '4', '--set', 'algo.lsbThreshold=0.9'], code: 2, re: /^error: --set algo\.lsbThreshold=0\.9: does not apply to sotu-char, a language model: .*progressive quantization is off \(algo\.lsbBits 0\); add --set algo\.lsbBits=N\n$/ },
  { name: 'logits --set algo.lsbThreshold on a classifier (ignored by the forward, as accuracy refuses it)', argv: () => ['logits', '--model', 'spam-bert', '--ids', '2,45,17,3', '--set', 'algo.lsbThreshold=0.5'], code: 2, re: /^error: --set algo\.lsbThreshold=0\.5: does not apply to spam-bert, a classifier: BERT is quantized statically/ },
  { name: 'logits --set algo.fcWeightBits (hardware e2e only)', argv: () => ['logits', '--model', 'sotu-char', '--ids', '2,45,17,3', '--set', 'algo.fcWeightBits=12'], code: 2, re: /^error: --set algo\.fcWeightBits=12: does not apply to sotu-char, a language model: it is the FC\/FFN weight width/ },
  { name: 'logits --set algo.lsbBits with quantization off (msbBits 32: no LSBs)', argv: () => ['logits', '--model', 'sotu-char', '--ids', '2,45,17,3', '--set', 'algo.lsbBits=4'], code: 2, re: /^error: --set algo\.lsbBits=4: does not apply to sotu-char, a language model: the keys are not quantized at algo\.msbBits 32, so there are no LSBs to refetch; set algo\.msbBits below 32\n$/ },
  { name: 'accuracy --set algo.lsbRefetchFraction (measured, not an input)', argv: () => ['accuracy', '--model', 'sotu-char', '--max-examples', '4', '--set', 'algo.lsbRefetchFraction=0.3'], code: 2, re: /algo\.lsbRefetchFraction=0\.3: does not apply to sotu-char, a language model: the engine measures the LSB refetch fraction/ },
  { name: 'simulate --set algo.queryBits=1', argv: () => ['simulate', '--set', 'algo.queryBits=1'], code: 2, re: /--set algo\.queryBits=1: algo\.queryBits: .*>=2/ },
  { name: 'sweep over algo.msbBits with 1', ...yaml(TINY.replace('algo.tokenKeep: [0.5, 1.0]', 'algo.msbBits: [1, 4]')), argv: run(), code: 2, re: /parameters\.algo\.msbBits\[0\]: Too small: expected number to be >=2/ },
  { name: 'simulate --set without =', argv: () => ['simulate', '--set', 'hw.dramChannels'], code: 2, re: /--set hw\.dramChannels: expected key=value/ },
  { name: 'logits --ids with an empty id', argv: () => ['logits', '--model', 'sotu-char', '--ids', '1,,2'], code: 2, re: /^error: --ids 1,,2: id 2 is empty \(two commas, or a comma at an end\?\)\n$/ },
  { name: 'logits --ids not decimal', argv: () => ['logits', '--model', 'sotu-char', '--ids', '1,0x10'], code: 2, re: /^error: --ids: "0x10" is not a non-negative integer token id\n$/ },
  { name: 'reproduce fig19a --set the knob on its x axis', argv: () => ['reproduce', 'fig19a', '--set', 'hw.topkParallelism=4'], code: 2, re: /^error: --set hw\.topkParallelism: fig19a sets hw\.topkParallelism itself, its x axis \(1, 2, 4, 8, 16, 32 comparators per array\); leave it out\n$/ },
  { name: 'reproduce sram --set the value SRAM it sweeps', argv: () => ['reproduce', 'sram', '--set', 'hw.valueSramKB=98'], code: 2, re: /^error: --set hw\.valueSramKB: sram sets hw\.valueSramKB itself, its x axis \(196, 392, 784 KB, equal to the key SRAM\); leave it out\n$/ },
  { name: 'reproduce fig20 --set the top-k its steps define', argv: () => ['reproduce', 'fig20', '--set', 'hw.topkParallelism=16'], code: 2, re: /^error: --set hw\.topkParallelism: fig20 sets hw\.topkParallelism itself, one of its steps \(1 comparator per array before the "\+ 16-comparator top-k" step, 16 from it on\); leave it out\n$/ },
  { name: 'reproduce all --set a knob three figures set', argv: () => ['reproduce', 'all', '--set', 'hw.topkParallelism=4'], code: 2, re: /^error: --set hw\.topkParallelism: fig19a, fig20, fig20gpu set hw\.topkParallelism themselves .*reproduce the other figures one at a time with it\n$/ },
  { name: 'reproduce fig20 --set hw.wordBits below its 12-bit baseline keys', argv: () => ['reproduce', 'fig20', '--fidelity', 'analytical', '--set', 'hw.wordBits=8'], code: 2, re: /^error: --set hw\.wordBits=8: too narrow for figure fig20: its minimum is hw\.wordBits 12, what every configuration of it needs; 12 of its 18 configurations do not fit 8 bits, listed below; the figure fixes its data widths: leave hw\.wordBits out or set it to 12 or more\n  the widest, configuration table1, step "ASIC baseline \(dense, 12-bit K\/V, 1-comparator top-k\)": the key, algo\.msbBits = 12 bits, is stored in one word\n  does not fit 8 bits: configuration table1, step "ASIC baseline \(dense, 12-bit K\/V, 1-comparator top-k\)" \(needs 12\)\n(  does not fit 8 bits: configuration [^\n]*\(needs 12\)\n){11}$/ },
  { name: 'reproduce fig20 --set hw.wordBits that fits its quantized steps only: the figure\'s 12, not the first step\'s', argv: () => ['reproduce', 'fig20', '--fidelity', 'analytical', '--set', 'hw.wordBits=10'], code: 2, re: /^error: --set hw\.wordBits=10: too narrow for figure fig20: its minimum is hw\.wordBits 12, .*; 12 of its 18 configurations do not fit 10 bits/ },
  { name: 'reproduce fig15 --set hw.wordBits below its 12-bit FC weights', argv: () => ['reproduce', 'fig15', '--fidelity', 'analytical', '--set', 'hw.wordBits=10'], code: 2, re: /^error: --set hw\.wordBits=10: too narrow for figure fig15: its minimum is hw\.wordBits 12, .*; 8 of its 16 configurations do not fit 10 bits.*\n  the widest, benchmark gpt2-small-wikitext2 \(scope e2e\) algo\.fcWeightBits=12: the FC weights, algo\.fcWeightBits = 12 bits \(scope e2e\)/ },
  { name: 'reproduce headline --set hw.wordBits below the 6 + 4-bit keys of its GPT-2 benchmarks', argv: () => ['reproduce', 'headline', '--fidelity', 'analytical', '--set', 'hw.wordBits=9'], code: 2, re: /^error: --set hw\.wordBits=9: too narrow for figure headline: its minimum is hw\.wordBits 10, .*; 8 of its 30 configurations do not fit 9 bits.*\n  the widest, benchmark gpt2-small-wikitext2: the key, algo\.msbBits \+ algo\.lsbBits = 6 \+ 4 bits[^\n]*\n(  does not fit 9 bits: benchmark gpt2-(small|medium)-\w+ \(needs 10\)\n){8}$/ },
  { name: 'reproduce fig19a --set hw.wordBits below the per8 trace\'s 6 + 4-bit keys', argv: () => ['reproduce', 'fig19a', '--fidelity', 'analytical', '--set', 'hw.wordBits=9'], code: 2, re: /^error: --set hw\.wordBits=9: too narrow for figure fig19a: its minimum is hw\.wordBits 10, what every configuration of it needs; 3 of its 3 configurations do not fit 9 bits, listed below; the figure fixes its data widths: leave hw\.wordBits out or set it to 10 or more\n  the widest, configuration table1: the trace summary-gpt2-small-wikitext2-per8\.csv's keys are 6-bit MSBs \+ 4-bit refetched LSBs = 10 bits in one word \(from iteration 0, layer 0, head 0\)\n  does not fit 9 bits: configuration table1 \(needs 10\)\n  does not fit 9 bits: configuration table1-rtl-topk \(needs 10\)\n  does not fit 9 bits: configuration fitted \(needs 10\)\n$/ },
  { name: 'reproduce sram --set hw.wordBits that holds per8 but not the dense reference\'s 8 + 4-bit keys', argv: () => ['reproduce', 'sram', '--set', 'hw.wordBits=11'], code: 2, re: /^error: --set hw\.wordBits=11: too narrow for figure sram: its minimum is hw\.wordBits 12, .*; 3 of its 6 configurations do not fit 11 bits.*\n  the widest, trace summary-gpt2-small-wikitext2-per8-step1\+dedic\.csv at 196 KB: the trace summary-gpt2-small-wikitext2-per8-step1\+dedic\.csv's keys are 8-bit MSBs \+ 4-bit refetched LSBs = 12 bits in one word[^\n]*\n(  does not fit 11 bits: trace summary-gpt2-small-wikitext2-per8-step1\+dedic\.csv at (196|392|784) KB \(needs 12\)\n){3}$/ },
  { name: 'reproduce all --set hw.wordBits: every figure below it with its minimum', argv: () => ['reproduce', 'all', '--fidelity', 'analytical', '--set', 'hw.wordBits=10'], code: 2, re: /^error: --set hw\.wordBits=10: too narrow for 5 of the figures, listed below: reproduce all needs hw\.wordBits of at least 12; .*\n  fig20: needs at least 12 \(12 of its 18 configurations do not fit 10; `reproduce fig20 --set hw\.wordBits=10` names them\)\n  sram: needs at least 12 \(3 of its 6 .*\n  fig15: needs at least 12 \(8 of its 16 .*\n  fig20gpu: needs at least 12 \(96 of its 152 .*\n  table4: needs at least 12 \(4 of its 12 .*\n$/ },
  { name: 'reproduce --set an SRAM below the cycle model\'s line pair', argv: () => ['reproduce', 'fig19a', '--set', 'hw.valueSramKB=0.1'], code: 2, re: /^error: --set hw\.valueSramKB=0\.1: too small for the cycle model in figure fig19a: one of its configurations needs at least [\d.]+ KB\n$/ },
  { name: 'train --ft-masks unknown mode', argv: () => ['train', '--model', 'sotu-char', '--ft-masks', 'best'], code: 2, re: /--ft-masks: expected one of random, cascade, cascade-gen, cascade-mix, got "best"/ },
  { name: 'train --ft-masks for a recipe without fine-tuning', argv: () => ['train', '--model', 'sotu-gpt', '--ft-masks', 'cascade'], code: 2, re: /--ft-masks \/ --ft-steps \/ --ft-min-keep: only for a recipe with a fine-tuning phase, without --steps \(sotu-gpt\)/ },
  { name: 'train --ft-min-keep out of range', argv: () => ['train', '--model', 'sotu-char', '--ft-min-keep', '0'], code: 2, re: /--ft-min-keep: expected a fraction in \(0, 1\], got "0"/ },
  { name: 'train --ft-steps not a positive integer', argv: () => ['train', '--model', 'sotu-char', '--ft-steps', '0'], code: 2, re: /--ft-steps: expected a positive integer, got "0"/ },
  { name: 'train --workers not a positive integer', argv: () => ['train', '--model', 'sotu-char', '--workers', '0'], code: 2, re: /--workers: expected a positive integer, got "0"/ },
  { name: 'train --workers for the BERT recipe', argv: () => ['train', '--model', 'spam-bert', '--workers', '2'], code: 2, re: /--workers: only for the LM recipes \(sotu-gpt, sotu-char\), not spam-bert/ },
  { name: 'train --resume-from a checkpoint of another model kind', argv: (d) => ['train', '--model', 'sotu-char', '--resume-from', 'sim/nn/checkpoints/spam-bert', '--out', out(d)], code: 2, re: /^error: --resume-from sim\/nn\/checkpoints\/spam-bert: its config\.json gives kind "bert", the sotu-char recipe's model has "gpt"/ },
  { name: 'train --resume-from a checkpoint with other positions', argv: (d) => ['train', '--model', 'sotu-char', '--resume-from', 'sim/nn/checkpoints/sotu-char-alibi', '--out', out(d)], code: 2, re: /--resume-from sim\/nn\/checkpoints\/sotu-char-alibi: its config\.json gives positions "alibi", the sotu-char recipe's model has "learned"/ },
  { name: 'train --out a folder holding a Hugging Face checkpoint', files: BERT_TINY_CK, argv: (d) => ['train', '--model', 'sotu-char', '--steps', '1', '--out', path.join(d, 'ck')], code: 2, re: /^error: --out .*ck: holds a checkpoint not trained by `spatten-dse train` \(no training\.json names its recipe\) \(config\.json, model\.safetensors, vocab\.txt\), not of sotu-char; choose another --out folder, or add --force to replace it \(its config\.json, model\.safetensors, vocab\.txt are replaced\)\n$/ },
  { name: 'train --out a checkpoint of another recipe', files: { 'ck/config.json': '{}', 'ck/training.json': '{"model":"spam-bert"}', 'ck/vocab.json': '{}', 'ck/merges.txt': '' }, argv: (d) => ['train', '--model', 'sotu-char', '--steps', '1', '--out', path.join(d, 'ck')], code: 2, re: /^error: --out .*ck: holds a checkpoint of spam-bert \(config\.json, merges\.txt, training\.json, vocab\.json\), not of sotu-char; choose another --out folder, or add --force/ },
  { name: 'train --out a non-empty folder holding no checkpoint', files: { 'o/notes.md': 'mine' }, argv: (d) => ['train', '--model', 'sotu-char', '--steps', '1', '--out', path.join(d, 'o')], code: 2, re: /^error: --out .*o: the folder is not empty \(notes\.md\) and holds no checkpoint of sotu-char; choose another --out folder, or add --force to write the checkpoint into it\n$/ },
  // --- a checkpoint folder the engine cannot load: refused before any point runs ---
  { name: 'accuracy --model a GPT-2 folder with vocab.json but no merges.txt', setup: (d) => gpt2Without(d, 'merges.txt'), argv: (d) => ['accuracy', '--model', path.join(d, 'ck'), '--max-examples', '2'], code: 2, re: /^error: .*ck: has vocab\.json but no merges\.txt next to it: a byte-level BPE tokenizer \(GPT-2's\) needs both files; copy the model's merges\.txt into the folder\n$/ },
  { name: 'accuracy --model a GPT-2 folder with merges.txt but no vocab.json', setup: (d) => gpt2Without(d, 'vocab.json'), argv: (d) => ['accuracy', '--model', path.join(d, 'ck'), '--max-examples', '2'], code: 2, re: /^error: .*ck: has merges\.txt but no vocab\.json next to it/ },
  { name: 'space whose accuracy model is a GPT-2 folder without merges.txt', setup: (d) => (gpt2Without(d, 'merges.txt'), writeFileSync(space(d), TINY.replace('metric: energy_j', 'metric: perplexity') + `accuracy: { model: ${path.join(d, 'ck')}, maxExamples: 4 }\n`)), argv: run(), code: 2, re: /accuracy\.model: accuracy model ".*ck": .*ck: has vocab\.json but no merges\.txt next to it/ },
  {
    name: 'accuracy checkpoint whose model.safetensors is not a safetensors file',
    files: { ...SPAM_TOKENIZER, 'ck/model.safetensors': 'not a safetensors file' },
    setup: (d) => writeFileSync(space(d), accuracySpace(d)),
    argv: run('--jobs', '1'),
    code: 2,
    re: /^error: .*s\.yaml:\d+:\d+: accuracy\.model: accuracy model ".*ck": .*ck\/model\.safetensors: /,
  },
  {
    name: 'accuracy checkpoint whose weights do not have config.json\'s shapes',
    files: { ...SPAM_TOKENIZER, 'ck/config.json': SPAM_CONFIG.replace('"intermediate_size": 256', '"intermediate_size": 128') },
    setup: (d) => {
      copyFileSync(path.join(ROOT, 'sim/nn/checkpoints/spam-bert/model.safetensors'), path.join(d, 'ck/model.safetensors'));
      writeFileSync(space(d), accuracySpace(d));
    },
    argv: run('--jobs', '1'),
    code: 2,
    re: /accuracy\.model: accuracy model ".*ck": .*ck\/model\.safetensors: tensor 'bert\.encoder\.layer\.0\.intermediate\.dense\.weight' has shape \[256,64\], config implies \[128,64\]/,
  },
  {
    name: 'accuracy checkpoint without tokenizer files',
    files: { 'ck/config.json': SPAM_CONFIG },
    setup: (d) => {
      copyFileSync(path.join(ROOT, 'sim/nn/checkpoints/spam-bert/model.safetensors'), path.join(d, 'ck/model.safetensors'));
      writeFileSync(space(d), accuracySpace(d));
    },
    argv: run('--jobs', '1'),
    code: 2,
    re: /accuracy\.model: accuracy model ".*ck": no tokenizer files \(vocab\.json \+ merges\.txt, or vocab\.txt\) in .*ck/,
  },
  {
    name: 'accuracy LM checkpoint too short for the evaluation window (n_positions 16)',
    files: { 'ck/vocab.json': readFileSync(path.join(ROOT, 'test/fixtures/hf-reference/gpt2-tiny/vocab.json'), 'utf8'), 'ck/merges.txt': readFileSync(path.join(ROOT, 'test/fixtures/hf-reference/gpt2-tiny/merges.txt'), 'utf8') },
    setup: (d) => {
      const cfg = JSON.parse(readFileSync(path.join(ROOT, 'test/fixtures/hf-reference/gpt2-tiny/config.json'), 'utf8'));
      writeFileSync(path.join(d, 'ck/config.json'), JSON.stringify({ ...cfg, n_positions: 16, n_ctx: 16 }));
      writeFileSync(path.join(d, 'ck/model.safetensors'), shortPositions(path.join(ROOT, 'test/fixtures/hf-reference/gpt2-tiny/model.safetensors'), 16));
      writeFileSync(space(d), TINY.replace('metric: energy_j', 'metric: perplexity') + `accuracy: { model: ${path.join(d, 'ck')}, maxExamples: 4 }\n`);
    },
    argv: run('--jobs', '1'),
    code: 2,
    re: /accuracy\.model: accuracy model ".*ck": .*ck\/config\.json: 'n_positions' is 16; the LM evaluation needs a prompt of at least 1 token plus 32 generated tokens/,
  },
  // --- exit 1: every point failed (weights that load but overflow to NaN logits): no output, the journal of the evaluations kept ---
  {
    name: 'every point failed (exit 1, first error; the journal of its evaluations kept)',
    files: SPAM_TOKENIZER,
    setup: (d) => {
      writeFileSync(path.join(d, 'ck/model.safetensors'), nanWeights());
      writeFileSync(space(d), accuracySpace(d));
    },
    argv: run('--jobs', '1'),
    code: 1,
    re: /every point failed \(6\); the first error: .*ck: example 0: the classifier logits are NaN/,
    leaves: ['out/', 'out/journal.jsonl'],
    check: (d) => {
      const j = loadJournal(path.join(out(d), 'journal.jsonl'));
      assert.deepEqual(j.records.map((x) => x.status), Array(6).fill('failed'), 'the 6 evaluations are journaled');
    },
  },
];

const TABLE: string[] = [];

before(() => {
  process.chdir(ROOT);
});

for (const [i, c] of CASES.entries()) {
  test(`bad input: ${c.name}`, async () => {
    const dir = path.join(TMP, String(i));
    mkdirSync(dir, { recursive: true });
    for (const [f, text] of Object.entries(c.files ?? {})) {
      mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
      writeFileSync(path.join(dir, f), text);
    }
    await c.setup?.(dir);
    const before = snapshot(dir);
    const r = await cli(c.argv(dir));
    const message = r.err.trim().split('\n')[0];
    TABLE.push(`| ${c.name} | ${r.code} | \`${message.replace(/\|/g, '\\|').replace(new RegExp(TMP.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'g'), '$TMP')}\` |`);
    assert.equal(r.code, c.code, `exit code; stderr: ${r.err}`);
    assert.match(r.err, c.re);
    const after = snapshot(dir);
    for (const p of c.leaves ?? []) {
      assert.ok(p in after, `${p} left by the case`);
      delete after[p];
    }
    assert.deepEqual(after, before, c.leaves ? `nothing written but ${c.leaves.join(', ')}` : 'nothing written');
    c.check?.(dir);
    for (const p of c.absent ?? []) assert.ok(!existsSync(p), `${p} not created`);
  });
}

test(`at least 40 cases; the table`, (t) => {
  assert.ok(CASES.length >= 40, `${CASES.length} cases`);
  t.diagnostic(['| case | exit | message |', '|---|---|---|', ...TABLE].join('\n'));
});

// --- beyond the table: cases that write (by design) or check one mechanism ---

test('train --force replaces another checkpoint in --out: none of its files or snapshots stay beside the new one; other files and snapshots of the recipe do', async () => {
  const dir = path.join(TMP, 'train-force');
  const bert = path.join(ROOT, 'test/fixtures/hf-reference/bert-tiny');
  const char = path.join(ROOT, 'sim/nn/checkpoints/sotu-char');
  for (const [sub, from, files] of [['', bert, ['config.json', 'model.safetensors', 'vocab.txt']], ['step-5', bert, ['config.json', 'model.safetensors', 'vocab.txt']], ['step-9', char, ['config.json', 'model.safetensors', 'vocab.json', 'merges.txt', 'training.json']]] as const) {
    mkdirSync(path.join(dir, sub), { recursive: true });
    for (const f of files) copyFileSync(path.join(from, f), path.join(dir, sub, f));
  }
  writeFileSync(path.join(dir, 'NOTES.md'), 'mine');
  writeFileSync(path.join(dir, 'tokenizer.json'), '{}');
  writeFileSync(path.join(dir, 'training-dense.json'), '{"model":"spam-bert"}');
  writeFileSync(path.join(dir, 'training-phase1.json'), '{"model":"sotu-char"}');
  const r = await cli(['train', '--model', 'sotu-char', '--steps', '1', '--out', dir, '--force']);
  assert.equal(r.code, 0, r.err);
  // sotu-char's files, the snapshot and the record of sotu-char, and the file that is no checkpoint's
  assert.deepEqual(readdirSync(dir).sort(), ['NOTES.md', 'config.json', 'merges.txt', 'model.safetensors', 'step-9', 'training-phase1.json', 'training.json', 'vocab.json']);
  assert.equal(JSON.parse(readFileSync(path.join(dir, 'training.json'), 'utf8')).model, 'sotu-char');
  assert.equal(Object.keys(JSON.parse(readFileSync(path.join(dir, 'vocab.json'), 'utf8'))).length, 257); // bytes + end of text
  assert.match(readFileSync(path.join(dir, 'config.json'), 'utf8'), /"model_type": "gpt2"/);
});

test('disk full (ENOSPC) while writing a user-given file: exit 2 naming the file', async () => {
  // /dev/full fails every write with ENOSPC; the accuracy command writes its trace there
  const r = await cli(['accuracy', '--model', 'spam-bert', '--max-examples', '2', '--trace-out', '/dev/full']);
  assert.equal(r.code, 2, r.err);
  assert.match(r.err, /^error: --trace-out \/dev\/full: no space left on the device \(ENOSPC\)\n$/m);
});

test('no feasible point: the summary and run.json say which constraint excluded how many; exit 0', async () => {
  const dir = path.join(TMP, 'infeasible');
  mkdirSync(dir, { recursive: true });
  writeFileSync(space(dir), TINY.replace('constraints: ["area_mm2 <= 19"]', 'constraints: ["area_mm2 <= 1", "latency_s <= 1"]'));
  const r = await cli(run()(dir));
  assert.equal(r.code, 0, r.err);
  const runJson = JSON.parse(readFileSync(path.join(out(dir), 'run.json'), 'utf8'));
  assert.equal(runJson.counts.feasible, 0);
  assert.match(runJson.notes[0], /^no feasible point: "area_mm2 <= 1" excluded 6 of 6 \(area_mm2 from [\d.]+ to [\d.]+\); "latency_s <= 1" excluded 0 of 6$/);
});

test('a sweep where some word widths cannot hold the keys: a note at the start, those points fail with the reason, the others run; exit 0', async () => {
  const dir = path.join(TMP, 'narrow-word');
  mkdirSync(dir, { recursive: true });
  writeFileSync(space(dir), TINY.replace('  hw.dramChannels: [4, 8, 16]\n', '  hw.wordBits: [8, 12]\n  algo.msbBits: [8, 12]\n'));
  const r = await cli(run()(dir));
  assert.equal(r.code, 0, r.err);
  assert.match(r.err, /^note: .*s\.yaml:8:3: 1 of the 4 combinations of hw\.wordBits, algo\.msbBits do not fit the on-chip word \(at hw\.wordBits 8, algo\.msbBits 12: /m);
  const rows = readFileSync(path.join(out(dir), 'points.csv'), 'utf8').trim().split('\n').slice(1);
  const failed = rows.filter((l) => l.includes(',failed,'));
  // tokenKeep 0.5 and 1.0 at (wordBits 8, msbBits 12): 2 of the 8 points
  assert.equal(failed.length, 2, rows.join('\n'));
  for (const l of failed) assert.match(l, /^\d+,8,12,[\d.]+,.*"hw\.wordBits 8 is below the 12 bits this point needs: the key, algo\.msbBits = 12 bits, is stored in one word; hw\.wordBits must be at least 12 \(or narrow the data\)"/);
  assert.equal(rows.filter((l) => l.includes(',ok,')).length, 6, rows.join('\n'));
});

test('a sweep with a clock so small that latency overflows the doubles (1e-320 GHz): that point fails saying so, not "ok" and feasible with empty cells; exit 0', async () => {
  const dir = path.join(TMP, 'overflow');
  mkdirSync(dir, { recursive: true });
  writeFileSync(space(dir), TINY.replace('  hw.dramChannels: [4, 8, 16]\n', '  hw.clockGHz: [1e-320, 1]\n'));
  const r = await cli(run()(dir));
  assert.equal(r.code, 0, r.err);
  const rows = readFileSync(path.join(out(dir), 'points.csv'), 'utf8').trim().split('\n').slice(1);
  // 4 points: 2 clocks × 2 tokenKeep; the 2 at 1e-320 GHz take cycles / (1e-320 × 1e9 Hz) = Infinity seconds
  const failed = rows.filter((l) => l.includes(',failed,'));
  assert.equal(failed.length, 2, rows.join('\n'));
  for (const l of failed) assert.match(l, /^\d+,1e-320,[\d.]+,(,)+false,failed,"the hardware model computed latency_s Infinity, energy_j Infinity, power_w NaN, edp_js Infinity: a knob of this point is beyond the range the model computes in doubles"/);
  assert.equal(rows.filter((l) => /^\d+,1,.*,true,ok,/.test(l)).length, 2, rows.join('\n'));
});

test('--jobs above the cores is clamped with a warning; --force writes into a foreign folder; run.json records the options and versions', async () => {
  const dir = path.join(TMP, 'clamp');
  mkdirSync(out(dir), { recursive: true });
  writeFileSync(space(dir), TINY);
  writeFileSync(path.join(out(dir), 'notes.txt'), 'mine');
  const r = await cli(run('--jobs', '64', '--force', '--seed', '7')(dir));
  assert.equal(r.code, 0, r.err);
  const cores = os.availableParallelism();
  if (cores < 64) assert.match(r.err, new RegExp(`warning: --jobs 64 is more than the ${cores} available cores?; using --jobs ${cores}`));
  const runJson = JSON.parse(readFileSync(path.join(out(dir), 'run.json'), 'utf8'));
  assert.equal(runJson.options.jobs, Math.min(64, cores));
  assert.equal(runJson.options.seed, 7);
  assert.equal(runJson.options.force, true);
  assert.equal(runJson.stopReason, 'completed');
  assert.equal(runJson.versions.node, process.version);
  assert.match(runJson.versions.model, /^src-[0-9a-f]{16}$/);
  assert.match(runJson.versions.git ?? 'no git', /^([0-9a-f]{40}(\+dirty)?|no git)$/);
  assert.equal(readFileSync(path.join(out(dir), 'notes.txt'), 'utf8'), 'mine');
  // points.csv: counts as integers, other metrics to 6 significant digits
  const [header, ...rows] = readFileSync(path.join(out(dir), 'points.csv'), 'utf8').trim().split('\n').map((l) => l.split(','));
  for (const row of rows) {
    assert.match(row[header.indexOf('cycles')], /^\d+$/);
    assert.match(row[header.indexOf('dram_bytes')], /^\d+$/);
    for (const m of ['latency_s', 'energy_j', 'area_mm2', 'power_w', 'gops']) {
      const digits = row[header.indexOf(m)].replace(/e.*$/, '').replace(/^[0.]+/, '').replace('.', '');
      assert.ok(digits.length <= 6, `${m} = ${row[header.indexOf(m)]}`);
    }
  }
});

test('an unexpected error: exit 1, a short message and the --debug hint; with --debug the stack', async () => {
  const { reportError } = await import('../dse/cli.ts');
  let err = '';
  const we = process.stderr.write.bind(process.stderr);
  process.stderr.write = ((s: string | Uint8Array) => ((err += String(s)), true)) as typeof process.stderr.write;
  try {
    assert.equal(reportError(new TypeError('x is undefined\nmore'), false), 1);
    assert.equal(err, 'error: x is undefined\n(an unexpected error: rerun with --debug for the stack trace, and please report it)\n');
    err = '';
    assert.equal(reportError(new TypeError('x is undefined'), true), 1);
    assert.match(err, /^error: x is undefined\nTypeError: x is undefined\n {4}at /);
    err = '';
    assert.equal(reportError(Object.assign(new Error('EACCES: permission denied, open \'/x\''), { code: 'EACCES', path: '/x' }), false), 2);
    assert.equal(err, 'error: /x: permission denied (EACCES)\n');
  } finally {
    process.stderr.write = we;
  }
});

test('did you mean: plausible typos only', async () => {
  const { closest } = await import('../core/suggest.ts');
  assert.equal(closest('hw.topkParalelism', ['hw.topkParallelism', 'hw.inFlight']), 'hw.topkParallelism');
  assert.equal(closest('lantecy_s', ['latency_s', 'energy_j']), 'latency_s'); // a swap counts once
  assert.equal(closest('rnu', ['run', 'report']), 'run');
  assert.equal(closest('banana', ['latency_s', 'energy_j']), undefined);
});
