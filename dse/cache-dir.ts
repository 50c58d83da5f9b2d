/**
 * The folder of the project's caches: the CLI and worker bundles with the CLI's manifest
 * (dse/bundle.ts) and the DRAM profile cache (dse/profile-cache.ts).
 *
 * - `SPATTEN_CACHE_DIR` set: that folder (relative to the working directory), created if missing.
 * - else node_modules/.cache/spatten-dse/ of the project, when it can be created and written;
 * - else (a global install owned by another user, a read-only layer, Nix) the user's own cache
 *   folder, $XDG_CACHE_HOME/spatten-dse or ~/.cache/spatten-dse. Never a shared folder such as
 *   /tmp: anyone could plant a bundle there, and the CLI runs what it finds.
 * A folder this module creates in the first or last case gets mode 0o700 (the project's folder is
 * created with the default mode, as before).
 *
 * The launcher (bin/spatten-dse.js, plain JS) keeps its own copy of this rule;
 * test/cache-dir.test.ts checks that the two pick the same folder.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The project's own cache folder (used unless SPATTEN_CACHE_DIR is set or it is not writable). */
export const projectCacheDir = (root = ROOT) => path.join(root, 'node_modules', '.cache', 'spatten-dse');

/** The user's cache folder: $XDG_CACHE_HOME/spatten-dse (an absolute XDG_CACHE_HOME only, as the XDG spec says) or ~/.cache/spatten-dse. */
export function userCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const xdg = env.XDG_CACHE_HOME;
  return path.join(xdg && path.isAbsolute(xdg) ? xdg : path.join(env.HOME || os.homedir(), '.cache'), 'spatten-dse');
}

/** Whether `dir` exists (created if missing) and this process may write in it. */
function writable(dir: string): boolean {
  try {
    fs.mkdirSync(dir, { recursive: true });
    fs.accessSync(dir, fs.constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/** The cache folder of the project at `root` under `env` (see the header); created when possible (best effort). */
export function resolveCacheDir(root = ROOT, env: NodeJS.ProcessEnv = process.env): string {
  const own = projectCacheDir(root);
  if (!env.SPATTEN_CACHE_DIR && writable(own)) return own;
  const dir = env.SPATTEN_CACHE_DIR ? path.resolve(env.SPATTEN_CACHE_DIR) : userCacheDir(env);
  try {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch {
    /* every cache is best effort: the sources still run */
  }
  return dir;
}

let memo: string | undefined;

/** This process's cache folder (resolveCacheDir of this project under process.env, computed once). */
export function cacheDir(): string {
  return (memo ??= resolveCacheDir());
}
