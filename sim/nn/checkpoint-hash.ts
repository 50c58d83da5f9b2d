/**
 * Identity of a checkpoint folder's content: what the journal keys of a sweep (dse/executor.ts
 * keyMaterial) and the engine cache (api.ts getEngine) use, so that replacing a folder's weights,
 * config or tokenizer re-evaluates instead of reusing numbers of the old files.
 *
 * The sha256 runs over the files once per content: it is remembered per folder with the files'
 * stat (size, mtime, ctime, inode), and later calls only stat them (a few microseconds; the hash of
 * a shipped checkpoint, ≤ 2 MB, takes a few milliseconds).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { modelDirOf } from './paths.ts';
import { fileStamp } from '../../core/file-stamp.ts';

/** The files whose content determines a checkpoint's numbers (absent ones count as absent). */
export const CHECKPOINT_FILES = ['config.json', 'model.safetensors', 'vocab.json', 'merges.txt', 'vocab.txt'] as const;

const known = new Map<string, { stamp: string; hash: string }>();

/** The files' stat, one string ('-' for an absent file). */
function stampOf(dir: string): string {
  return CHECKPOINT_FILES.map((f) => fileStamp(join(dir, f)) ?? '-').join('|');
}

/** sha256 (16 hex digits) over the names and contents of the folder's CHECKPOINT_FILES. */
function hashFiles(dir: string): string {
  const h = createHash('sha256');
  for (const f of CHECKPOINT_FILES) {
    let data: Buffer | undefined;
    try {
      data = readFileSync(join(dir, f));
    } catch {
      data = undefined; // absent (loadCheckpoint says what is missing)
    }
    h.update(`${f}\0${data ? data.length : -1}\0`);
    if (data) h.update(data);
  }
  return h.digest('hex').slice(0, 16);
}

/** The content hash of checkpoint folder `dir` (recomputed only when one of its files changed). */
export function checkpointHash(dir: string): string {
  const stamp = stampOf(dir);
  const k = known.get(dir);
  if (k && k.stamp === stamp) return k.hash;
  const hash = hashFiles(dir);
  known.set(dir, { stamp, hash });
  return hash;
}

/** The content hash of an accuracy model (a shipped checkpoint's name or a folder), null when it names no folder. */
export function modelHash(model: string): string | null {
  const dir = modelDirOf(model);
  return dir === undefined ? null : checkpointHash(dir);
}
