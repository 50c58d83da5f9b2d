/**
 * Checkpoint folders in the Hugging Face layout:
 *   config.json (BERT / GPT-2 HF config), model.safetensors (HF tensor names, F32),
 *   tokenizer files (vocab.json + merges.txt for byte-level BPE, or vocab.txt for WordPiece),
 *   optional training.json (how it was trained, final metrics).
 * `loadCheckpoint` also reads real HF BERT / GPT-2 folders (pytorch_model.bin is not supported:
 * convert to safetensors first).
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { configFromHf, fromHf, hfConfig, toHf, type ModelConfig, type Weights } from './model.ts';
import { readSafetensors, writeSafetensors } from './safetensors.ts';
import { BpeTokenizer, loadTokenizer, type Tokenizer } from './tokenizer.ts';

export interface Checkpoint {
  dir: string;
  config: ModelConfig;
  weights: Weights;
  tokenizer: Tokenizer;
  /** sha256 of config.json + model.safetensors (for cache keys). */
  hash: string;
  training?: Record<string, unknown>;
}

export function saveCheckpoint(dir: string, config: ModelConfig, weights: Weights, tok: BpeTokenizer, training?: Record<string, unknown>): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'config.json'), JSON.stringify(hfConfig(config), null, 2) + '\n');
  writeSafetensors(join(dir, 'model.safetensors'), toHf(config, weights), { format: 'pt' });
  tok.save(dir);
  if (training) writeFileSync(join(dir, 'training.json'), JSON.stringify(training, null, 2) + '\n');
}

export function loadCheckpoint(dir: string): Checkpoint {
  const cfgPath = join(dir, 'config.json');
  if (!existsSync(cfgPath)) throw new Error(`${dir}: no config.json (not a checkpoint folder)`);
  let cfgJson: Record<string, unknown>;
  try {
    cfgJson = JSON.parse(readFileSync(cfgPath, 'utf8')) as Record<string, unknown>;
  } catch (e) {
    throw new Error(`${cfgPath}: invalid JSON (${(e as Error).message})`);
  }
  const config = configFromHf(cfgJson, cfgPath);
  const stPath = join(dir, 'model.safetensors');
  if (!existsSync(stPath)) throw new Error(`${dir}: no model.safetensors`);
  const hf = readSafetensors(stPath);
  const weights = fromHf(config, hf, stPath);
  const tokenizer = loadTokenizer(dir);
  // Special ids from the tokenizer when the config does not name them.
  if (config.kind === 'bert') {
    config.clsId = tokenizer.tokenId('[CLS]') ?? config.clsId;
    config.sepId = tokenizer.tokenId('[SEP]') ?? config.sepId;
    config.padId = tokenizer.tokenId('[PAD]') ?? config.padId;
  } else {
    config.eosId = tokenizer.tokenId('<|endoftext|>') ?? config.eosId;
  }
  const h = createHash('sha256');
  h.update(readFileSync(cfgPath));
  h.update(readFileSync(stPath));
  const trPath = join(dir, 'training.json');
  const training = existsSync(trPath) ? (JSON.parse(readFileSync(trPath, 'utf8')) as Record<string, unknown>) : undefined;
  return { dir, config, weights, tokenizer, hash: h.digest('hex').slice(0, 16), training };
}
