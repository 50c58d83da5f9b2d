import { existsSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
/** Folder of the shipped checkpoints (sim/nn/checkpoints/<name>/). */
export const CHECKPOINT_ROOT = join(dirname(fileURLToPath(import.meta.url)), 'checkpoints');

/** The folder of an accuracy model: a shipped checkpoint's name, else a path to a folder with config.json; undefined when neither. */
export function modelDirOf(model: string): string | undefined {
  if (/^[a-z0-9-]+$/.test(model) && existsSync(join(CHECKPOINT_ROOT, model, 'config.json'))) return join(CHECKPOINT_ROOT, model);
  const dir = resolve(model);
  return existsSync(join(dir, 'config.json')) ? dir : undefined;
}

/** The shipped checkpoints' names (the folders of CHECKPOINT_ROOT with a config.json), sorted: for help texts. */
export function shippedModels(): string[] {
  if (!existsSync(CHECKPOINT_ROOT)) return [];
  return readdirSync(CHECKPOINT_ROOT, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(CHECKPOINT_ROOT, d.name, 'config.json')))
    .map((d) => d.name)
    .sort();
}
