/**
 * `spatten-dse logits --model FOLDER|NAME --ids 2,45,17,…|--text TEXT [--set algo.X=…] [--json]`
 * One forward pass of the accuracy engine on the given token ids, or on a text's ids from the
 * model's own tokenizer (sim/nn/logits.ts): GPT-2 →
 * `next_token_logprob` (n−1 values), BERT → classifier `logits`. Quantization off unless --set
 * gives bit widths. For parity checks against Hugging Face `transformers`.
 */
import type { Command } from 'commander';
import { InputError } from '../errors.ts';
import { asInputError, modelDirInput } from '../model-input.ts';
import { parseSets } from '../space.ts';
import { shippedModels } from '../../sim/nn/paths.ts';

function collect(v: string, prev: string[]): string[] {
  return [...prev, v];
}

/** `--ids 2,45,17` → token ids: decimal non-negative integers, none empty (`1,,2` is refused, not read as 1,2). */
export function parseIds(s: string): number[] {
  const parts = s.split(',').map((x) => x.trim());
  if (parts.every((x) => x === '')) throw new InputError('--ids: expected comma-separated token ids, e.g. --ids 2,45,17');
  return parts.map((p, i) => {
    if (p === '') throw new InputError(`--ids ${s}: id ${i + 1} is empty (two commas, or a comma at an end?)`);
    const n = Number(p);
    if (!/^\d+$/.test(p) || !Number.isSafeInteger(n)) throw new InputError(`--ids: "${p}" is not a non-negative integer token id`);
    return n;
  });
}

/**
 * The one `--ids` list given: a repeat is refused (exit 2). Commander keeps only the last value of
 * a plain option, so `--ids 1,2 --ids 3,4` ran on 3,4 alone and printed 1 value, not 3.
 */
export function onlyIds(given: readonly string[]): string {
  if (given.length > 1) throw new InputError(`--ids given ${given.length} times (${given.map((g) => `--ids ${g}`).join(', ')}): give one comma-separated list, e.g. --ids ${given.join(',')}`);
  return given[0];
}

/** The one source of ids: `--ids` or `--text`, exactly one of them (exit 2 otherwise). */
export function idsSource(o: { ids?: string[]; text?: string[] }): { ids: number[] } | { text: string } {
  const ids = o.ids ?? [];
  const text = o.text ?? [];
  if (ids.length > 0 && text.length > 0) throw new InputError('give --ids or --text, not both');
  if (ids.length === 0 && text.length === 0) throw new InputError('give the input: --ids 2,45,17 (token ids) or --text "…" (tokenized with the model\'s own tokenizer)');
  if (text.length > 1) throw new InputError(`--text given ${text.length} times: give one text`);
  if (text.length === 1) return { text: text[0] };
  return { ids: parseIds(onlyIds(ids)) };
}

export function register(program: Command): void {
  program
    .command('logits')
    .description('one forward pass on given token ids or a text: GPT-2 next-token log-probs or BERT classifier logits (quantization off by default)')
    .requiredOption('-m, --model <name>', `${shippedModels().join(', ')}, or a Hugging Face BERT/GPT-2 folder`)
    .option('--ids <list>', 'comma-separated token ids, e.g. 2,45,17 (once; or --text)', (v: string, prev?: string[]) => [...(prev ?? []), v])
    .option('--text <text>', 'a text, tokenized with the model\'s own tokenizer (BERT: [CLS] … [SEP], as Hugging Face adds them); --json prints its ids', (v: string, prev?: string[]) => [...(prev ?? []), v])
    .option('-s, --set <key=value>', 'algorithm parameter (repeatable), e.g. --set algo.tokenKeep=0.5', collect, [])
    .option('--json', 'print one JSON object')
    .action(async (o: { model: string; ids?: string[]; text?: string[]; set: string[]; json?: boolean }) => {
      const source = idsSource(o);
      for (const s of o.set) {
        const key = s.slice(0, Math.max(0, s.indexOf('='))).trim();
        if (key && !key.startsWith('algo.')) throw new InputError(`--set ${s}: unknown parameter "${key}" (logits takes algo.*)`);
      }
      const raw: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(parseSets(o.set))) raw[key.slice('algo.'.length)] = value;
      const { logitsAlgo, computeLogits, textIds } = await import('../../sim/nn/logits.ts');
      let algo;
      try {
        algo = logitsAlgo(raw);
      } catch (e) {
        throw new InputError((e as Error).message);
      }
      const dir = await modelDirInput(o.model, '--model');
      // a --set the forward would ignore is refused, as `accuracy` refuses it (quantization is off here unless set)
      const { refuseInertAlgoSets } = await import('./accuracy.ts');
      await refuseInertAlgoSets(o.set, o.model, dir, algo);
      const ids = 'ids' in source ? source.ids : await asInputError(() => textIds(o.model, source.text));
      const r = await asInputError(() => computeLogits(o.model, ids, algo, 'text' in source ? 'text' : 'ids'));
      if (o.json) {
        process.stdout.write(JSON.stringify({ ...r, ...('text' in source ? { ids } : {}), algo }) + '\n');
        return;
      }
      const vals = r.kind === 'gpt' ? r.next_token_logprob! : r.logits!;
      if ('text' in source) process.stdout.write(`ids: ${ids.join(',')}\n`);
      process.stdout.write(`${o.model} (${r.kind}, ${r.n} ids): ${r.kind === 'gpt' ? 'next_token_logprob' : 'logits'}\n${vals.map((v) => v.toFixed(6)).join(' ')}\n`);
    });
}
