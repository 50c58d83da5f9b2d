/**
 * The worker bundle: pool workers (dse/pool.ts) start from one plain ESM file instead of loading
 * TypeScript sources through tsx.
 *
 * Under tsx a worker thread spends about 0.8 s of CPU before its first evaluation: tsx's loader
 * registers itself in the worker, then transforms or reads from its cache every source file of
 * dse/worker.ts's import graph, one resolve/load round trip at a time. Bundled with esbuild, the
 * same graph loads in about 0.15 s. On a 2-core machine that start-up is paid by every worker of
 * every run, in the time the sweep is meant to be split in two.
 *
 * - The bundle is built once per source state: its folder is named by a sha256 over the contents of
 *   every .ts/.json file under core/, dse/ and sim/ (and the esbuild version), under
 *   node_modules/.cache/spatten-dse/. A run whose sources match reuses it without starting esbuild.
 * - Packages stay external (resolved from the project's node_modules at run time), so the bundle is
 *   small and tfjs loads exactly as it does from the sources.
 * - `import.meta.url` in each bundled file is replaced by that file's own URL, so code that locates
 *   files next to itself (checkpoints, datasets) behaves as it does from the sources.
 * - Any failure (esbuild missing, read-only folder) returns undefined: the pool then runs
 *   dse/worker.ts through tsx, as before. `SPATTEN_WORKER_BUNDLE=0` forces that path.
 */
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { listFiles } from './files.ts';

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const ENTRY = path.join(ROOT, 'dse', 'worker.ts');
/** Bundles kept in the cache folder (the newest ones; older ones are removed). */
const KEEP = 4;

export interface WorkerBundle {
  /** file: URL of the bundled task file. */
  url: string;
  /** Built by this call (false: reused from the cache). */
  built: boolean;
}

/** Hash of everything the bundle is built from. */
export function bundleKey(esbuildVersion: string): string {
  const files = [...listFiles(path.join(ROOT, 'core')), ...listFiles(path.join(ROOT, 'dse')), ...listFiles(path.join(ROOT, 'sim'))].filter((f) => /\.(ts|json)$/.test(f));
  const h = createHash('sha256');
  h.update(`esbuild ${esbuildVersion}\0`);
  for (const f of files.sort()) {
    h.update(path.relative(ROOT, f));
    h.update('\0');
    h.update(fs.readFileSync(f));
    h.update('\0');
  }
  return h.digest('hex').slice(0, 16);
}

/** Node flags for a bundle worker: the parent's, without tsx's loader. */
export function execArgvWithoutTsx(argv: readonly string[]): string[] {
  const isTsx = (s: string | undefined) => !!s && /(^|[\\/])tsx([\\/]|$)/.test(s);
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (['--import', '--require', '-r', '--loader', '--experimental-loader'].includes(a) && isTsx(argv[i + 1])) {
      i++;
      continue;
    }
    const eq = /^--(import|require|loader|experimental-loader)=(.*)$/.exec(a);
    if (eq && isTsx(eq[2])) continue;
    out.push(a);
  }
  return out;
}

type Esbuild = typeof import('esbuild');

let pending: Promise<WorkerBundle | undefined> | undefined;

/** The worker bundle (built on first use per source state), or undefined to run from the sources. */
export function workerBundle(cacheDir = path.join(ROOT, 'node_modules', '.cache', 'spatten-dse')): Promise<WorkerBundle | undefined> {
  if (process.env.SPATTEN_WORKER_BUNDLE === '0') return Promise.resolve(undefined);
  pending ??= buildWorkerBundle(cacheDir).catch(() => undefined);
  return pending;
}

/** Builds the bundle into `cacheDir` unless an up-to-date one is there (not memoised; rejects on failure). */
export async function buildWorkerBundle(cacheDir: string): Promise<WorkerBundle | undefined> {
  let esbuild: Esbuild;
  try {
    esbuild = (await import('esbuild')) as Esbuild;
  } catch {
    return undefined;
  }
  const dir = path.join(cacheDir, `worker-${bundleKey(esbuild.version)}`);
  const file = path.join(dir, 'worker.mjs');
  if (fs.existsSync(file)) return { url: pathToFileURL(file).href, built: false };

  fs.mkdirSync(cacheDir, { recursive: true });
  // build into a private folder, then rename: concurrent runs never see a half-written bundle
  const tmp = path.join(cacheDir, `tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
    await esbuild.build({
      entryPoints: [ENTRY],
      bundle: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      packages: 'external',
      // sim/nn (tfjs) is imported lazily: a chunk of its own, loaded only by accuracy tasks
      splitting: true,
      outdir: tmp,
      outExtension: { '.js': '.mjs' },
      entryNames: '[name]',
      define: { __SPATTEN_BUNDLE__: 'true' },
      logLevel: 'silent',
      plugins: [
        {
          name: 'own-import-meta-url',
          setup(b) {
            b.onLoad({ filter: /\.ts$/ }, (args) => {
              if (args.path.includes(`${path.sep}node_modules${path.sep}`)) return undefined;
              const text = fs.readFileSync(args.path, 'utf8');
              return { contents: text.replace(/\bimport\.meta\.url\b/g, JSON.stringify(pathToFileURL(args.path).href)), loader: 'ts' };
            });
          },
        },
      ],
    });
    try {
      fs.renameSync(tmp, dir);
    } catch {
      // another run renamed its identical build first
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  } catch (e) {
    fs.rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
  prune(cacheDir, dir);
  return fs.existsSync(file) ? { url: pathToFileURL(file).href, built: true } : undefined;
}

/** Removes all but the newest KEEP bundles (never `keep`). */
function prune(cacheDir: string, keep: string): void {
  try {
    const dirs = fs
      .readdirSync(cacheDir)
      .filter((n) => n.startsWith('worker-'))
      .map((n) => path.join(cacheDir, n))
      .filter((p) => p !== keep)
      .map((p) => ({ p, t: fs.statSync(p).mtimeMs }))
      .sort((a, b) => b.t - a.t);
    for (const { p } of dirs.slice(KEEP - 1)) fs.rmSync(p, { recursive: true, force: true });
  } catch {
    /* pruning is best effort */
  }
}
