/**
 * Checkpoint folders in the Hugging Face layout:
 *   config.json (BERT / GPT-2 HF config), model.safetensors (HF tensor names, F32),
 *   tokenizer files (vocab.json + merges.txt for byte-level BPE, or vocab.txt for WordPiece),
 *   optional training.json (how it was trained, final metrics).
 * `loadCheckpoint` also reads real HF BERT / GPT-2 folders (pytorch_model.bin is not supported:
 * convert to safetensors first).
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkpointHash } from './checkpoint-hash.ts';
import { ConfigError, configFromHf } from './hfconfig.ts';
import { fromHf, hfConfig, toHf } from './hf-weights.ts';
import type { ModelConfig, Weights } from './model.ts';
import { readSafetensors, writeSafetensors } from './safetensors.ts';
import { BpeTokenizer, loadTokenizer, type Tokenizer } from './tokenizer.ts';

export interface Checkpoint {
  dir: string;
  config: ModelConfig;
  weights: Weights;
  tokenizer: Tokenizer;
  /** Content hash of config.json, model.safetensors and the tokenizer files (checkpoint-hash.ts; cache and journal keys). */
  hash: string;
  training?: Record<string, unknown>;
}

/**
 * Writes a checkpoint into `dir`, replacing the one there: the files of a checkpoint (ours or a
 * Hugging Face folder's: CHECKPOINT_FILE) that this one does not write are removed, except records
 * of an earlier phase of the same model (training-dense.json); so are `step-K` snapshot folders of
 * another model than `training.model`. Other files stay. Returns the removed names.
 */
export function saveCheckpoint(dir: string, config: ModelConfig, weights: Weights, tok: BpeTokenizer, training?: Record<string, unknown>): string[] {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'config.json'), JSON.stringify(hfConfig(config), null, 2) + '\n');
  writeSafetensors(join(dir, 'model.safetensors'), toHf(config, weights), { format: 'pt' });
  tok.save(dir);
  if (training) writeFileSync(join(dir, 'training.json'), JSON.stringify(training, null, 2) + '\n');
  const written = new Set(['config.json', 'model.safetensors', 'vocab.json', 'merges.txt', ...(training ? ['training.json'] : [])]);
  const model = typeof training?.model === 'string' ? training.model : undefined;
  const stale = readdirSync(dir).filter((f) => {
    // snapshots, and records such as training-dense.json (an earlier phase), stay when they are of this model
    if (SNAPSHOT.test(f)) return model !== undefined && ![undefined, model].includes(trainedModelOf(join(dir, f)));
    if (!CHECKPOINT_FILE.test(f) || written.has(f)) return false;
    return !(/^training-/.test(f) && model !== undefined && recordModel(join(dir, f)) === model);
  });
  for (const f of stale) rmSync(join(dir, f), { recursive: true, force: true });
  return stale;
}

/** The files a checkpoint folder consists of: this project's and those a Hugging Face folder holds beside them. */
export const CHECKPOINT_FILE = /^(config\.json|model\.safetensors|vocab\.json|merges\.txt|vocab\.txt|tokenizer\.json|tokenizer_config\.json|special_tokens_map\.json|added_tokens\.json|generation_config\.json|pytorch_model\.bin|tf_model\.h5|flax_model\.msgpack|(model\.safetensors|pytorch_model\.bin)\.index\.json|training(-[\w.-]+)?\.json)$/;
/** A `--save-every` snapshot folder (train.ts saveSnapshot). */
export const SNAPSHOT = /^step-\d+$/;

/** The model a checkpoint folder was trained as (its training.json's `model`), '' when unknown, undefined when `dir` holds no checkpoint. */
export function trainedModelOf(dir: string): string | undefined {
  return existsSync(join(dir, 'config.json')) ? recordModel(join(dir, 'training.json')) : undefined;
}

/** The `model` a training record (training.json and the like) names, '' when it names none or cannot be read. */
function recordModel(file: string): string {
  try {
    const m = (JSON.parse(readFileSync(file, 'utf8')) as { model?: unknown }).model;
    return typeof m === 'string' ? m : '';
  } catch {
    return '';
  }
}

/** Any problem with a checkpoint folder's content is a ConfigError (bad input: the CLI exits 2). */
export function loadCheckpoint(dir: string): Checkpoint {
  try {
    return loadCheckpointUnchecked(dir);
  } catch (e) {
    if (e instanceof ConfigError) throw e;
    throw new ConfigError((e as Error).message);
  }
}

/**
 * The tokenizer must be of the model's kind: GPT-2 reads its text with a byte-level BPE
 * (vocab.json + merges.txt; a WordPiece vocab.txt lower-cases and drops characters), and a BERT's
 * inputs are built with [CLS] and [SEP], which must be in its vocabulary (either tokenizer kind:
 * spam-bert's is a BPE with both) — else config.json's ids (or HF's defaults 101 / 102) name
 * arbitrary tokens.
 */
function checkTokenizerKind(dir: string, config: ModelConfig, tokenizer: Tokenizer): void {
  const files = tokenizer instanceof BpeTokenizer ? 'vocab.json + merges.txt' : 'vocab.txt';
  if (config.kind === 'gpt' && !(tokenizer instanceof BpeTokenizer)) {
    throw new ConfigError(`${dir}: config.json is a GPT-2, which needs its byte-level BPE tokenizer (vocab.json + merges.txt), but the folder has only a WordPiece vocab.txt: put the model's vocab.json and merges.txt in the folder`);
  }
  if (config.kind !== 'bert') return;
  const missing = ['[CLS]', '[SEP]'].filter((t) => tokenizer.tokenId(t) === undefined);
  if (missing.length > 0) {
    throw new ConfigError(`${dir}: config.json is a BERT, whose inputs start with [CLS] and end with [SEP], but the tokenizer (${files}) has no ${missing.join(' and ')}: put the tokenizer files the model was trained with in the folder`);
  }
}

/** Tokenizer ids must index the model's embedding: a larger tokenizer is the wrong tokenizer. */
function checkTokenizer(dir: string, config: ModelConfig, tokenizer: Tokenizer): void {
  checkTokenizerKind(dir, config, tokenizer);
  if (tokenizer.vocabSize > config.vocabSize) {
    throw new ConfigError(
      `${dir}: the tokenizer has ${tokenizer.vocabSize} tokens but config.json 'vocab_size' is ${config.vocabSize}: ` +
        `put the tokenizer files the model was trained with in the folder (or fix 'vocab_size' if the embedding really has ${tokenizer.vocabSize} rows)`,
    );
  }
  // BERT inputs are built with [CLS] / [SEP] (GPT-2 evaluation windows use no special token).
  const ids = config.kind === 'bert' ? { '[CLS]': config.clsId, '[SEP]': config.sepId } : {};
  for (const [name, id] of Object.entries(ids)) {
    if (!(id >= 0 && id < config.vocabSize)) throw new ConfigError(`${dir}: special token ${name} has id ${id}, outside the vocabulary [0, ${config.vocabSize}) of config.json: fix its id in config.json or the tokenizer`);
  }
}

/**
 * `:line:column` of a JSON.parse error in `text` from its "at position N" (Node 20 gives no line),
 * so that the message points into the file as the space files' errors do; '' when it names none.
 */
export function jsonErrorPlace(text: string, message: string): string {
  const m = /at position (\d+)/.exec(message);
  if (!m) return '';
  const before = text.slice(0, Number(m[1]));
  const line = before.split('\n').length;
  return `:${line}:${before.length - before.lastIndexOf('\n')}`;
}

function loadCheckpointUnchecked(dir: string): Checkpoint {
  const cfgPath = join(dir, 'config.json');
  if (!existsSync(cfgPath)) throw new Error(`${dir}: no config.json (not a checkpoint folder)`);
  const hash = checkpointHash(dir); // before reading: a file replaced meanwhile changes the next hash
  const cfgText = readFileSync(cfgPath, 'utf8');
  let cfgJson: Record<string, unknown>;
  try {
    cfgJson = JSON.parse(cfgText) as Record<string, unknown>;
  } catch (e) {
    throw new Error(`${cfgPath}${jsonErrorPlace(cfgText, (e as Error).message)}: invalid JSON (${(e as Error).message})`);
  }
  const config = configFromHf(cfgJson, cfgPath);
  const tokenizer = loadTokenizer(dir);
  // Special ids from the tokenizer when it has them (a BERT's [CLS] / [SEP] must be there: checkTokenizer).
  if (config.kind === 'bert') {
    config.clsId = tokenizer.tokenId('[CLS]') ?? config.clsId;
    config.sepId = tokenizer.tokenId('[SEP]') ?? config.sepId;
    config.padId = tokenizer.tokenId('[PAD]') ?? config.padId;
  } else {
    config.eosId = tokenizer.tokenId('<|endoftext|>') ?? config.eosId;
  }
  checkTokenizer(dir, config, tokenizer);
  const stPath = join(dir, 'model.safetensors');
  if (!existsSync(stPath)) {
    // a PyTorch pickle is never read (it can run code): the same weights as safetensors are
    const bin = existsSync(join(dir, 'pytorch_model.bin')) ? ' (pytorch_model.bin is not read: save the model with save_pretrained(safe_serialization=True), or convert the file to model.safetensors)' : '';
    throw new Error(`${dir}: no model.safetensors${bin}`);
  }
  const weights = fromHf(config, readSafetensors(stPath), stPath);
  const trPath = join(dir, 'training.json');
  const training = existsSync(trPath) ? (JSON.parse(readFileSync(trPath, 'utf8')) as Record<string, unknown>) : undefined;
  return { dir, config, weights, tokenizer, hash, training };
}
