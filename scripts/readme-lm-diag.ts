/**
 * Regenerates sim/nn/README.md's "Why 4× costs more than truncation" (blocks `lm-diag-*`): the four
 * tables and the sentences after them (scripts/readme-lm-diag-format.ts) from the diagnostics the
 * section quotes, run as a user runs them, and the LLM cache's 4× row the second sentence quotes
 * (the `accuracy` run of the nn-policy-char table, scripts/readme-nn-runs.ts).
 *
 *   npm run readme:lm-diag                     (the diagnostics: 5–13 minutes on the shared 2-core host, by its load)
 *   npm run readme:lm-diag -- --from FILE      (FILE: a saved `node --import tsx scripts/lm-diag.ts
 *                                               --model sotu-char --json truncation selection layers spread`)
 *
 * A script of its own, not part of `npm run readme:nn` (3.5 CPU-minutes), which it would make
 * several times slower. test/readme-lm-diag.test.ts checks the formatting and the words against fixed figures.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { writeGeneratedBlock } from '../bench/readme-block.ts';
import { nodeJson, ROOT } from './readme-commands.ts';
import { accuracy, value } from './readme-nn-runs.ts';
import { CHAR_DENSE, CHAR_LLM } from './readme-nn-rows.ts';
import { lmDiagBlocks, type Diag, type Llm } from './readme-lm-diag-format.ts';

export const LM_DIAG_COMMAND = '`npm run readme:lm-diag`';
/** What the section quotes: `scripts/lm-diag.ts --model sotu-char`, the four parts it tabulates, as JSON. */
export const LM_DIAG_ARGS = ['--model', 'sotu-char', '--json', 'truncation', 'selection', 'layers', 'spread'];
const README = path.join(ROOT, 'sim', 'nn', 'README.md');

/** The diagnostics: run now, or read from a saved `--json` output. */
function diagnostics(from?: string): Diag {
  if (from) return JSON.parse(readFileSync(from, 'utf8')) as Diag;
  return nodeJson<Diag>(['--import', 'tsx', path.join(ROOT, 'scripts', 'lm-diag.ts'), ...LM_DIAG_ARGS]);
}

/** The LLM cache at 4× (budget 64) and dense, as the nn-policy-char table runs them. */
async function llmAt4(): Promise<Llm> {
  const j = await accuracy(CHAR_LLM(0.25));
  return { perplexity: value(j), dense: value(await accuracy(CHAR_DENSE)), keptPerLayer: j.meanKeptTokensPerLayer };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const args = process.argv.slice(2);
  const i = args.indexOf('--from');
  const from = i < 0 ? undefined : args[i + 1];
  if (i >= 0 && !from) throw new Error('--from: expected a file (scripts/lm-diag.ts --json output)');
  const t0 = performance.now();
  process.stderr.write(from ? `sim/nn/README.md: the diagnostics from ${from}\n` : `sim/nn/README.md: node --import tsx scripts/lm-diag.ts ${LM_DIAG_ARGS.join(' ')}\n`);
  const blocks = lmDiagBlocks(diagnostics(from), await llmAt4());
  for (const [name, lines] of blocks) writeGeneratedBlock(README, name, LM_DIAG_COMMAND, lines);
  process.stderr.write(`sim/nn/README.md: ${blocks.length} blocks, ${((performance.now() - t0) / 1000).toFixed(0)} s\n`);
}
