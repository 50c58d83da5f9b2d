/**
 * Bad values of the command line, through the real CLI (bin/spatten-dse.js) in a child process
 * whose working folder holds only the case's space files: a name from a fixed list that is a near
 * miss gets "did you mean" (a case-insensitive match first), an empty value is refused naming the
 * option (an empty path would be the working folder), a YAML merge key is refused saying how to
 * write the same thing. Each: exit 2, the exact message on stderr, nothing on stdout, and the
 * working folder as it was (nothing written, created or truncated).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const ROOT = path.join(import.meta.dirname, '..');
const BIN = path.join(ROOT, 'bin', 'spatten-dse.js');
const CHECKPOINTS = path.join(ROOT, 'sim', 'nn', 'checkpoints');

const SPACE = `name: t
workload: { model: gpt2-small, stage: generation, seqLen: 128, genTokens: 4 }
objectives:
  - { metric: latency_s, goal: min }
  - { metric: energy_j, goal: min }
parameters:
  hw.dramChannels: [8, 16]
search: { driver: grid }
`;

/** Every file under `dir` (relative path → size:sha1, or "dir"). */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const f of readdirSync(d).sort()) {
      const p = path.join(d, f);
      if (statSync(p).isDirectory()) {
        out[`${path.relative(dir, p)}/`] = 'dir';
        walk(p);
      } else out[path.relative(dir, p)] = `${statSync(p).size}:${createHash('sha1').update(readFileSync(p)).digest('hex')}`;
    }
  };
  walk(dir);
  return out;
}

interface Case {
  argv: string[];
  err: string;
  /** Space files of the working folder besides s.yaml (name → text). */
  files?: Record<string, string>;
}

/** Runs the case in a fresh working folder: exit 2, exactly `err` on stderr, no stdout, the folder unchanged. */
function refused(c: Case): void {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sdse-values-'));
  for (const [f, text] of Object.entries({ 's.yaml': SPACE, ...c.files })) writeFileSync(path.join(dir, f), text);
  try {
    const before = snapshot(dir);
    const r = spawnSync(process.execPath, [BIN, ...c.argv], { cwd: dir, encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '0' } });
    assert.equal(r.stderr, c.err, `stderr of ${c.argv.join(' ')}`);
    assert.equal(r.status, 2, `exit code of ${c.argv.join(' ')}`);
    assert.equal(r.stdout, '', `stdout of ${c.argv.join(' ')}`);
    assert.deepEqual(snapshot(dir), before, `nothing written by ${c.argv.join(' ')}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const choice = (flags: string, got: string, allowed: string, near: string) =>
  `error: option '${flags}' argument '${got}' is invalid. Allowed choices are ${allowed}.\n(Did you mean ${near}?)\n(add --help for usage)\n`;
const noModel = (option: string, model: string, near: string) =>
  `error: ${option}: model '${model}': neither a shipped checkpoint (${CHECKPOINTS}) nor a folder with config.json (did you mean "${near}"?)\n`;

test('a near miss of a name from a fixed list: did you mean, a case-insensitive match first', () => {
  const cases: Case[] = [
    { argv: ['simulate', '-w', 'GPT2-Medium'], err: 'error: --workload: unknown model or benchmark "GPT2-Medium" (did you mean "gpt2-medium"?)\n' },
    { argv: ['simulate', '--workload', 'bert-base-cloa'], err: 'error: --workload: unknown model or benchmark "bert-base-cloa" (did you mean "bert-base-cola"?)\n' },
    { argv: ['simulate', '--baseline', 'TITAN-XP'], err: 'error: --baseline: unknown platform "TITAN-XP" (did you mean "titan-xp"?)\n' },
    { argv: ['accuracy', '--model', 'spam-bret'], err: noModel('--model', 'spam-bret', 'spam-bert') },
    { argv: ['simulate', '--accuracy', 'SPAM-BERT'], err: noModel('--accuracy', 'SPAM-BERT', 'spam-bert') },
    { argv: ['logits', '--model', 'spam-bret', '--ids', '1,2'], err: noModel('--model', 'spam-bret', 'spam-bert') },
    { argv: ['train', '--model', 'sotu-chr'], err: 'error: --model: unknown model "sotu-chr" (did you mean "sotu-char"?)\n' },
    { argv: ['train', '--model', 'sotu-char', '--ft-masks', 'cascde'], err: 'error: --ft-masks: expected one of random, cascade, cascade-gen, cascade-mix, got "cascde" (did you mean "cascade"?)\n' },
    { argv: ['reproduce', 'Fig14'], err: 'error: reproduce: unknown figure "Fig14" (did you mean "fig14"?)\n' },
    { argv: ['simulate', '--fidelity', 'analytcal'], err: choice('-f, --fidelity <name>', 'analytcal', 'analytical, cycle', 'analytical') },
    { argv: ['reproduce', 'fig14', '-f', 'CYCLE'], err: choice('-f, --fidelity <name>', 'CYCLE', 'analytical, cycle', 'cycle') },
    { argv: ['simulate', '--preset', 'spaten'], err: choice('--preset <name>', 'spaten', 'spatten, spatten-1/8', 'spatten') },
    { argv: ['simulate', '--stage', 'generaton'], err: choice('--stage <stage>', 'generaton', 'summarization, generation', 'generation') },
    { argv: ['simulate', '--scope', 'E2E'], err: choice('--scope <scope>', 'E2E', 'attention, e2e', 'e2e') },
    { argv: ['compare', '-w', 'bert-bse'], err: choice('-w, --workload <model>', 'bert-bse', 'bert-base, bert-large', 'bert-base') },
    { argv: ['run', 's.yaml', '--progress', 'bars'], err: choice('--progress <mode>', 'bars', 'auto, bar, lines, none', 'bar') },
    // a space file's accuracy model: the suggestion in place of the list of shipped checkpoints
    {
      argv: ['run', 'a.yaml', '--progress', 'none'],
      files: { 'a.yaml': SPACE.replace('metric: energy_j', 'metric: accuracy') + 'accuracy: { model: spam-bret }\n' },
      err: 'error: a.yaml:9:20: accuracy.model: accuracy model "spam-bret": neither a shipped checkpoint nor a folder with config.json (did you mean "spam-bert"?)\n',
    },
  ];
  for (const c of cases) refused(c);
});

test('an empty value is refused naming the option: an empty --out is not the working folder, an empty --trace not "no trace"', () => {
  const cases: Case[] = [
    { argv: ['run', 's.yaml', '--out', '', '--force'], err: 'error: --out: the value is empty; expected <dir>: output folder (default results/<name>); give . for the current folder\n' },
    { argv: ['run', 's.yaml', '--out='], err: 'error: --out: the value is empty; expected <dir>: output folder (default results/<name>); give . for the current folder\n' },
    { argv: ['schema', '--out', ''], err: 'error: --out: the value is empty; expected <file>: write it to a file (e.g. space.schema.json) instead of stdout\n' },
    { argv: ['report', 'a', 'b', '--out', ''], err: 'error: --out: the value is empty; expected <file>: comparison page to write (several folders; default compare.html)\n' },
    { argv: ['reproduce', 'sram', '--report', ''], err: "error: --report: the value is empty; expected <file>: also write a self-contained HTML page plotting each figure on the paper's axes, ours next to the paper's values where the spec gives them\n" },
    { argv: ['serve', '--space', 's.yaml', '--out', ''], err: 'error: --out: the value is empty; expected <dir>: results folder of the journal (default results/<name>); give . for the current folder\n' },
    { argv: ['train', '--model', 'sotu-char', '--steps', '1', '--out', ''], err: 'error: --out: the value is empty; expected <dir>: output folder (default sim/nn/checkpoints/<name>); give . for the current folder\n' },
    { argv: ['simulate', '--trace', ''], err: 'error: --trace: the value is empty; expected <file>: official 17-column workload CSV instead of a generated workload\n' },
    { argv: ['accuracy', '--model', 'spam-bert', '--max-examples', '2', '--trace-out', ''], err: 'error: --trace-out: the value is empty; expected <file>: write the measured trace as an official 17-column workload CSV\n' },
    { argv: ['run', ''], err: 'error: <space>: the value is empty; expected space file (YAML), e.g. spaces/default.yaml\n' },
    { argv: ['report', 'a', ''], err: 'error: <dirs>: the value is empty; expected results folder(s), e.g. results/default (two or more: compare them)\n' },
  ];
  for (const c of cases) refused(c);
});

test('a short option written with "=" (-o=results) is refused: its value would start with "=" (run wrote a folder named "=results")', () => {
  refused({ argv: ['run', 's.yaml', '-o=results'], err: 'error: -o: the value "=results" starts with "=": a short option\'s value follows it after a space (-o results), or write --out=results\n' });
  refused({ argv: ['run', 's.yaml', '-o='], err: 'error: -o: the value "=" starts with "=": a short option\'s value follows it after a space (-o VALUE), or write --out=VALUE\n' });
  refused({ argv: ['simulate', '-w=gpt2-small'], err: 'error: -w: the value "=gpt2-small" starts with "=": a short option\'s value follows it after a space (-w gpt2-small), or write --workload=gpt2-small\n' });
});

test('a YAML merge key is refused at its line, saying how to write the same thing', () => {
  const merge = 'error: m.yaml:%s: YAML merge keys ("<<: *anchor") are not supported: write the fields out in this mapping (an alias of a whole value, "key: *anchor", is supported)\n';
  refused({
    argv: ['run', 'm.yaml', '--progress', 'none'],
    files: { 'm.yaml': SPACE.replace('search:', 'algo: &a\n  valueKeep: 0.5\nhardware:\n  <<: *a\nsearch:') },
    err: merge.replace('%s', '11:3: hardware.<<'),
  });
  // in a report chart it also left the chart's x "undefined": now the merge key alone, every one
  refused({
    argv: ['run', 'm.yaml', '--progress', 'none'],
    files: { 'm.yaml': SPACE + 'report:\n  - &r { x: hw.dramChannels, y: latency_s }\n  - { <<: *r, y: energy_j }\n  - { <<: *r, y: gops }\n' },
    err: merge.replace('%s', '11:7: report[1].<<') + merge.replace('%s', '12:7: report[2].<<').replace('error: ', ''),
  });
});
