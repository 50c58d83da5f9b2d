/**
 * Regenerates sim/nn/README.md's "Why 4× costs more than truncation" (blocks `lm-diag-*`): the four
 * tables and the sentences after them (scripts/readme-lm-diag-format.ts) from the diagnostics the
 * section quotes, run as a user runs them, and the LLM cache's 4× row the second sentence quotes
 * (the `accuracy` run of the nn-policy-char table, scripts/readme-nn-runs.ts).
 *
 *   npm run readme:lm-diag                     (the diagnostics: 5–13 minutes on the shared 2-core host, by its load)
 *   npm run readme:lm-diag -- --from FILE      (FILE: a saved `node --import tsx scripts/lm-diag.ts
 *                                               --model sotu-char --json truncation selection layers spread`,
 *                                               or scripts/readme-data/lm-diag.json)
 *
 * It also rewrites the figures of the passages outside the blocks that quote them (earlier
 * sections, other tables' "shipped" rows: readme-lm-diag-format.ts `quotes`; a passage no longer
 * found stops it), and saves the diagnostics' quoted fields in scripts/readme-data/lm-diag.json, from
 * which test/readme-lm-diag.test.ts re-renders every block and passage.
 *
 * A script of its own, not part of `npm run readme:nn` (5 CPU-minutes), which it would make
 * several times slower.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { writeGeneratedBlock } from '../bench/readme-block.ts';
import { nodeJson, ROOT } from './readme-commands.ts';
import { accuracy, priced, value } from './readme-nn-runs.ts';
import { CHAR_DENSE, CHAR_LLM } from './readme-nn-rows.ts';
import { applyQuotes, lmDiagBlocks, quotes, type Diag, type Llm } from './readme-lm-diag-format.ts';

export const LM_DIAG_COMMAND = '`npm run readme:lm-diag`';
/** What the section quotes: `scripts/lm-diag.ts --model sotu-char`, the four parts it tabulates, as JSON. */
export const LM_DIAG_ARGS = ['--model', 'sotu-char', '--json', 'truncation', 'selection', 'layers', 'spread'];
const README = path.join(ROOT, 'sim', 'nn', 'README.md');
/** The diagnostics the blocks were last written from, saved by the generator (test/readme-lm-diag.test.ts re-renders the blocks from them). */
export const LM_DIAG_FILE = path.join(ROOT, 'scripts', 'readme-data', 'lm-diag.json');

/** The diagnostics: run now, or read from a saved `--json` output. */
export function diagnostics(from?: string): Diag {
  if (from) return JSON.parse(readFileSync(from, 'utf8')) as Diag;
  return nodeJson<Diag>(['--import', 'tsx', path.join(ROOT, 'scripts', 'lm-diag.ts'), ...LM_DIAG_ARGS]);
}

/** The diagnostics as the file saves them: the fields the blocks read, one table row a line. */
export function diagFile(d: Diag): string {
  const ppl = ({ perplexity, ci95 }: { perplexity: number; ci95: [number, number] }) => ({ perplexity, ci95 });
  const lines = (xs: unknown[]) => `[\n${xs.map((x) => `    ${JSON.stringify(x)}`).join(',\n')}\n  ]`;
  return `{\n  "dense": ${JSON.stringify({ ...ppl(d.dense), keptPerLayer: d.dense.keptPerLayer })},\n`
    + `  "truncation": ${lines(d.truncation.map((r) => ({ N: r.N, fresh: ppl(r.fresh), original: ppl(r.original) })))},\n`
    + `  "selection": ${lines(d.selection.map((r) => ({ label: r.label, ...ppl(r), keptPerLayer: r.keptPerLayer })))},\n`
    + `  "layers": ${lines(d.layers.map((r) => ({ label: r.label, ...ppl(r), keptPerLayer: r.keptPerLayer })))},\n`
    + `  "spread": ${lines(d.spread.map(({ layer, head, last8, last32, last96, effectiveKeys }) => ({ layer, head, last8, last32, last96, effectiveKeys })))}\n}\n`;
}

/** The LLM cache at 4× (budget 64) and dense, as the nn-policy-char table runs them (its row's run, priced: the run the table and sentence quote). */
export async function llmAt4(): Promise<Llm> {
  const { j } = await priced(CHAR_LLM(0.25));
  return { perplexity: value(j), dense: value(await accuracy(CHAR_DENSE)), keptPerLayer: j.meanKeptTokensPerLayer };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const args = process.argv.slice(2);
  const i = args.indexOf('--from');
  const from = i < 0 ? undefined : args[i + 1];
  if (i >= 0 && !from) throw new Error('--from: expected a file (scripts/lm-diag.ts --json output)');
  const t0 = performance.now();
  process.stderr.write(from ? `sim/nn/README.md: the diagnostics from ${from}\n` : `sim/nn/README.md: node --import tsx scripts/lm-diag.ts ${LM_DIAG_ARGS.join(' ')}\n`);
  const d = diagnostics(from);
  const blocks = lmDiagBlocks(d, await llmAt4());
  // the passages outside the blocks that quote the figures first: one no longer found stops before anything is written
  writeFileSync(README, applyQuotes(readFileSync(README, 'utf8'), quotes(d)));
  for (const [name, lines] of blocks) writeGeneratedBlock(README, name, LM_DIAG_COMMAND, lines);
  writeFileSync(LM_DIAG_FILE, diagFile(d));
  process.stderr.write(`sim/nn/README.md: ${blocks.length} blocks and ${quotes(d).length} passages quoting them; scripts/readme-data/lm-diag.json; ${((performance.now() - t0) / 1000).toFixed(0)} s\n`);
}
