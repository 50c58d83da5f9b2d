/**
 * Bundles of the TypeScript sources, compiled ahead of time with esbuild and cached:
 *
 * - the worker bundle: pool workers (dse/pool.ts) start from one plain ESM file instead of loading
 *   TypeScript sources through tsx. Under tsx a worker thread spends about 0.8 s of CPU before its
 *   first evaluation: tsx's loader registers itself in the worker, then transforms or reads from its
 *   cache every source file of dse/worker.ts's import graph, one resolve/load round trip at a time.
 *   Bundled with esbuild, the same graph loads in about 0.15 s. On a 2-core machine that start-up
 *   is paid by every worker of every run, in the time the sweep is meant to be split in two.
 * - the CLI bundle: bin/spatten-dse.js loads it (bin/load-bundle.mjs) and runs `main` in its own
 *   process (no tsx, no child process). It is one CommonJS file, not ES modules: Node 20 compiles
 *   every module from its source in every process, while a script can be given V8's code cache
 *   from an earlier process, the bytecode of what that command ran. The command modules of
 *   dse/commands/ are bundled through the relative template import in dse/cli.ts, each evaluated
 *   when first imported. Beside the bundle a manifest lists the sources it was built
 *   from (size and mtime of each, the entries of each folder), so the launcher checks freshness
 *   with a few `stat` calls instead of hashing; on any difference it asks `cliBundle` again, which
 *   hashes the sources and reuses or rebuilds.
 *
 * - A bundle is built once per source state: its folder is named by a sha256 over the contents of
 *   every .ts/.json file under its source folders (core/, dse/ and sim/; the CLI also reports/), the
 *   checkout's path and the esbuild version, in the cache folder (dse/cache-dir.ts:
 *   node_modules/.cache/spatten-dse/, SPATTEN_CACHE_DIR, or the user's cache folder when the
 *   project's is not writable). A run whose sources match reuses it without starting esbuild.
 * - Packages stay external (resolved from the project's node_modules at run time), so the bundle is
 *   small and tfjs loads exactly as it does from the sources. A bundle folder outside the project's
 *   node_modules holds a `node_modules` link to it, so Node resolves them the same way from there.
 * - `import.meta.url` in each bundled file is replaced by that file's own URL, so code that locates
 *   files next to itself (checkpoints, datasets, command modules) behaves as it does from the sources.
 * - Any failure (esbuild missing, read-only folder) returns undefined: the pool then runs
 *   dse/worker.ts through tsx, the launcher the CLI through tsx, as before. `SPATTEN_WORKER_BUNDLE=0`
 *   / `SPATTEN_CLI_BUNDLE=0` force those paths.
 */
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { cacheDir as cacheFolder } from './cache-dir.ts';
import { listFiles } from './files.ts';
import { profileSourcesKey } from './profile-key.ts';

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
/**
 * Bundles of each kind kept in the cache folder: the newest KEEP (by folder mtime: built or last
 * marked in use), any touched in the last hour, and any a live process has marked in use (a
 * running process may still load chunks of its bundle lazily, or write its code cache there;
 * checkouts may share the cache).
 * Before f155338 (2026-12-02) anything built in the last day was kept: a day of editing the sources left
 * ~400 bundles, 500 MB.
 */
const KEEP = 4;
const KEEP_MS = 3600 * 1000;
/** The in-use marker of process `pid` in a bundle folder (the launcher writes the CLI's, bin/spatten-dse.js). */
export const inUseMarker = (pid: number) => `.in-use-${pid}`;

/** What a bundle is built from. */
interface BundleSpec {
  /** Folder prefix and output file name (`<name>.mjs`, or `<name>.cjs` for a CommonJS bundle). */
  name: 'worker' | 'cli';
  /**
   * esm: split into chunks, the lazily imported ones loaded on first use (the worker bundle).
   * cjs: one file, its lazily imported modules evaluated on first use, loaded by
   * bin/load-bundle.mjs with V8's code cache (the CLI).
   */
  format: 'esm' | 'cjs';
  entry: string;
  /** Source folders the key covers (relative to the project root). */
  dirs: readonly string[];
  /** Packages left to node_modules (default: all of them). */
  external?: readonly string[];
}

const WORKER: BundleSpec = { name: 'worker', format: 'esm', entry: path.join(ROOT, 'dse', 'worker.ts'), dirs: ['core', 'dse', 'sim'] };
/**
 * The CLI bundles its small pure-JS packages (commander, zod, yaml, csv, cli-progress, …): one file
 * to load instead of a few hundred. tfjs, vega, piscina (worker files), esbuild and the queue clients (bullmq, ioredis: loaded only with --queue) stay external.
 */
const CLI: BundleSpec = {
  name: 'cli',
  format: 'cjs',
  entry: path.join(ROOT, 'dse', 'cli.ts'),
  dirs: ['core', 'dse', 'sim', 'reports'],
  external: ['@tensorflow/*', 'vega', 'vega-*', 'piscina', 'esbuild', 'tsx', '@stdlib/*', 'bullmq', 'ioredis'],
};

export interface WorkerBundle {
  /** file: URL of the bundled task file. */
  url: string;
  /** Built by this call (false: reused from the cache). */
  built: boolean;
}

const sourceFiles = (dirs: readonly string[]) => dirs.flatMap((d) => listFiles(path.join(ROOT, d))).filter((f) => /\.(ts|json)$/.test(f));

/** Hash of everything a bundle is built from (default: the worker bundle's folders). */
export function bundleKey(esbuildVersion: string, dirs: readonly string[] = WORKER.dirs): string {
  const h = createHash('sha256');
  h.update(`esbuild ${esbuildVersion}\0${ROOT}\0`);
  for (const f of sourceFiles(dirs).sort()) {
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
export function workerBundle(cacheDir = cacheFolder()): Promise<WorkerBundle | undefined> {
  if (process.env.SPATTEN_WORKER_BUNDLE === '0') return Promise.resolve(undefined);
  pending ??= buildWorkerBundle(cacheDir)
    .then((b) => {
      if (b) markInUse(path.dirname(fileURLToPath(b.url)));
      return b;
    })
    .catch(() => undefined);
  return pending;
}

/** Builds the worker bundle into `cacheDir` unless an up-to-date one is there (not memoised; rejects on failure). */
export function buildWorkerBundle(cacheDir: string): Promise<WorkerBundle | undefined> {
  return buildBundle(WORKER, cacheDir);
}

/**
 * The CLI bundle for the current sources (built if needed), with its manifest written for the
 * launcher's quick freshness check; undefined when it cannot be built. `esbuild`: the caller's
 * module (the launcher's builder file may sit where the package does not resolve: dse/cache-dir.ts).
 */
export async function cliBundle(cacheDir = cacheFolder(), esbuild?: Esbuild): Promise<WorkerBundle | undefined> {
  if (process.env.SPATTEN_CLI_BUNDLE === '0') return undefined;
  try {
    const b = await buildBundle(CLI, cacheDir, esbuild);
    if (b) writeManifest(cacheDir, b, CLI.dirs);
    return b;
  } catch (e) {
    if (process.env.SPATTEN_DEBUG) process.stderr.write(`CLI bundle not built, running from the sources: ${(e as Error).message}\n`);
    return undefined;
  }
}

/**
 * The manifest the launcher reads (bin/spatten-dse.js; same file name there): one per checkout,
 * named after its path, since checkouts may share node_modules.
 */
export function cliManifestFile(cacheDir = cacheFolder(), root = ROOT): string {
  return path.join(cacheDir, `cli-${root.replace(/[^A-Za-z0-9]+/g, '_').slice(-120)}.json`);
}

/** Entries of a folder as listFiles walks it (no node_modules, no hidden entries), sorted. */
function entries(dir: string): string[] {
  return fs
    .readdirSync(dir)
    .filter((n) => n !== 'node_modules' && !n.startsWith('.'))
    .sort();
}

function writeManifest(cacheDir: string, b: WorkerBundle, dirs: readonly string[]): void {
  const files: Record<string, [number, number]> = {};
  const folders: Record<string, string[]> = {};
  const walk = (d: string) => {
    let names: string[];
    try {
      names = entries(path.join(ROOT, d));
    } catch {
      return;
    }
    folders[d] = names;
    for (const n of names) {
      const rel = path.join(d, n);
      const st = fs.statSync(path.join(ROOT, rel));
      if (st.isDirectory()) walk(rel);
      else if (/\.(ts|json)$/.test(n)) files[rel] = [st.size, st.mtimeMs];
    }
  };
  dirs.forEach(walk);
  const esbuildPkg = path.relative(ROOT, path.join(ROOT, 'node_modules', 'esbuild', 'package.json'));
  const st = fs.statSync(path.join(ROOT, esbuildPkg));
  files[esbuildPkg] = [st.size, st.mtimeMs];
  const manifest = { bundle: path.relative(cacheDir, fileURLToPath(b.url)), folders, files };
  const out = cliManifestFile(cacheDir);
  const tmp = `${out}.${process.pid}-${randomBytes(4).toString('hex')}`;
  fs.writeFileSync(tmp, JSON.stringify(manifest));
  fs.renameSync(tmp, out);
}

/**
 * Writes a build's files, every non-ASCII UTF-16 unit of their text as its `\uXXXX` escape. esbuild
 * escapes them everywhere but in the comments it keeps (charset `ascii`, its default), and our
 * comments quote the paper (≥, ×, §, …): one such character makes Node decode the whole chunk
 * into a two-byte string, which V8 then scans and keeps at twice the size (the zod and model
 * chunks, 390 KB of a `simulate`'s 660 KB). In a comment the escape is text; in a string, a
 * regular expression or an identifier it would mean the same character. A file holding U+2028 or
 * U+2029 (which end a `//` comment) is written as esbuild made it.
 */
function writeOutputs(files: readonly { path: string; contents: Uint8Array; text: string }[] | undefined): void {
  for (const f of files ?? []) {
    fs.mkdirSync(path.dirname(f.path), { recursive: true });
    const ascii = f.contents.every((b) => b < 0x80);
    if (ascii || !/\.[cm]?js$/.test(f.path) || /[\u2028\u2029]/.test(f.text)) fs.writeFileSync(f.path, f.contents);
    else fs.writeFileSync(f.path, f.text.replace(/[^\x00-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`));
  }
}

/** The esbuild options of a bundle of `spec` into `outdir`. */
function bundleOptions(spec: BundleSpec, outdir: string) {
  return {
    absWorkingDir: ROOT,
    entryPoints: [spec.entry],
    bundle: true,
    format: spec.format,
    platform: 'node' as const,
    target: 'node20',
    ...(spec.external ? { external: [...spec.external] } : { packages: 'external' as const }),
    // ESM: CommonJS packages bundled into it call require() for Node built-ins.
    // CommonJS: the file is the function Node would wrap a CommonJS file in, which
    // bin/load-bundle.mjs compiles as it is (wrapping it there made V8 copy the 1.9 MB text first)
    ...(spec.format === 'esm'
      ? { banner: spec.external ? { js: `import { createRequire as __cr } from 'node:module'; const require = __cr(${BUNDLE_URL});` } : undefined }
      : { banner: { js: `(function (exports, require, module, __filename, __dirname) {` }, footer: { js: '})' } }),
    // CommonJS: without whitespace and comments (1.9 → 1.36 MB): a process reads the whole text
    // (its code cache does not hold it): 12–15 ms for 1.9 MB. Names are kept (stack traces name the
    // functions; SPATTEN_CLI_BUNDLE=0 runs the sources, lines and all).
    minifyWhitespace: spec.format === 'cjs',
    // sim/nn (tfjs), reports and the command modules are imported lazily: in ESM, chunks of their
    // own; in CommonJS, modules of the one file evaluated on first import
    splitting: spec.format === 'esm',
    // CommonJS: import() becomes require() (Node 20 cannot import() from a script compiled from a
    // code cache; the ES modules require() cannot load go through core/import-esm.ts)
    ...(spec.format === 'cjs' ? { supported: { 'dynamic-import': false } } : {}),
    outdir,
    outExtension: { '.js': spec.format === 'esm' ? '.mjs' : '.cjs' },
    entryNames: '[name]',
    // the profile cache's key, computed here from the sources this bundle is built from
    define: { __SPATTEN_BUNDLE__: 'true', ...(spec.dirs.includes('sim') ? { __SPATTEN_PROFILE_KEY__: JSON.stringify(profileSourcesKey(ROOT)) } : {}) },
    logLevel: 'silent' as const,
    metafile: true,
    // written by `writeOutputs`, comments in ASCII
    write: false,
    plugins: spec.external ? [ownImportMetaUrl, zodEnglishOnly, lazyCommanderChildProcess] : [ownImportMetaUrl],
  };
}

/** The bundle's file name in its folder. */
const bundleFileName = (spec: BundleSpec) => `${spec.name}.${spec.format === 'esm' ? 'mjs' : 'cjs'}`;

/**
 * Bundles another entry (a bench's script exporting `main`) with the CLI bundle's settings into
 * `outdir`; returns the path of `<name>.cjs`, which bench/run-bundle.mjs loads as the launcher
 * loads the CLI. Not cached (the caller owns `outdir`).
 */
export async function bundleLikeCli(entry: string, outdir: string): Promise<string> {
  const esbuild = (await import('esbuild')) as Esbuild;
  writeOutputs((await esbuild.build(bundleOptions({ ...CLI, entry }, outdir))).outputFiles);
  return path.join(outdir, `${path.basename(entry).replace(/\.ts$/, '')}.cjs`);
}

/** Builds `spec` into `cacheDir` unless an up-to-date build is there (not memoised; rejects on failure). */
async function buildBundle(spec: BundleSpec, cacheDir: string, given?: Esbuild): Promise<WorkerBundle | undefined> {
  let esbuild: Esbuild;
  try {
    esbuild = given ?? ((await import('esbuild')) as Esbuild);
  } catch {
    return undefined;
  }
  const dir = path.join(cacheDir, `${spec.name}-${bundleKey(esbuild.version, spec.dirs)}`);
  const file = path.join(dir, bundleFileName(spec));
  if (fs.existsSync(file)) return { url: pathToFileURL(file).href, built: false };

  fs.mkdirSync(cacheDir, { recursive: true });
  // build into a private folder, then rename: concurrent runs never see a half-written bundle
  const tmp = path.join(cacheDir, `tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
    const built = await esbuild.build(bundleOptions(spec, tmp));
    writeOutputs(built.outputFiles);
    // every bundled source must be covered by the key, or an edit there would go unnoticed
    const stray = Object.keys(built.metafile!.inputs).filter((f) => !f.includes('node_modules/') && !f.startsWith(`${LAZY_CHILD_PROCESS}:`) && !spec.dirs.some((d) => f.startsWith(`${d}/`)));
    if (stray.length) throw new Error(`${spec.name} bundle: ${stray.join(', ')} outside the hashed folders ${spec.dirs.join(', ')} (dse/bundle.ts)`);
    linkPackages(tmp, cacheDir);
    try {
      fs.renameSync(tmp, dir);
    } catch {
      // another run renamed its identical build first
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  } catch (e) {
    fs.rmSync(tmp, { recursive: true, force: true });
    throw e;
  } finally {
    // esbuild's service is a child process that would otherwise live as long as this one
    await esbuild.stop();
  }
  prune(cacheDir, dir, spec.name);
  return fs.existsSync(file) ? { url: pathToFileURL(file).href, built: true } : undefined;
}

/**
 * A bundle in a cache folder outside the project's node_modules (SPATTEN_CACHE_DIR, the user's
 * cache folder) gets a `node_modules` link to the project's in its own folder: Node resolves the
 * external packages from the importing file's folder upwards, and finds none from there. One link
 * per bundle folder, which is per checkout (its key hashes the checkout's path). Inside the
 * project's node_modules there is none (it would make a loop under node_modules).
 */
function linkPackages(bundleDir: string, cacheDir: string): void {
  const modules = path.join(ROOT, 'node_modules');
  const rel = path.relative(modules, path.resolve(cacheDir));
  if (rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel)) return;
  fs.symlinkSync(modules, path.join(bundleDir, 'node_modules'), 'dir');
}

/**
 * esbuild plugin: commander requires node:child_process when it loads (~5 ms of every CLI start:
 * the module brings net, dgram and their streams) for executable subcommands, which this CLI does
 * not have. In the bundle that require is deferred to the first use of the module.
 */
const LAZY_CHILD_PROCESS = 'lazy-child-process'; // the plugin's namespace (its one module is not a source file)
const lazyCommanderChildProcess = {
  name: 'lazy-commander-child-process',
  setup(b: {
    onResolve: (o: { filter: RegExp }, cb: (a: { path: string; importer: string }) => { path: string; namespace: string } | undefined) => void;
    onLoad: (o: { filter: RegExp; namespace: string }, cb: () => { contents: string; loader: 'js' }) => void;
  }) {
    b.onResolve({ filter: /^(node:)?child_process$/ }, (a) => (/[\\/]node_modules[\\/]commander[\\/]/.test(a.importer) ? { path: 'child_process', namespace: LAZY_CHILD_PROCESS } : undefined));
    b.onLoad({ filter: /.*/, namespace: LAZY_CHILD_PROCESS }, () => ({
      contents: "let m; module.exports = new Proxy({}, { get: (_, k) => (m ??= require('node:child_process'))[k] });",
      loader: 'js',
    }));
  },
};

/** The bundle file's own URL, spelled so that the plugin below leaves it alone. */
const BUNDLE_URL = ['import', 'meta', 'url'].join('.');

/** esbuild plugin: `import.meta.url` in each of our sources becomes that source's own URL. */
const ownImportMetaUrl = {
  name: 'own-import-meta-url',
  setup(b: { onLoad: (o: { filter: RegExp }, cb: (a: { path: string }) => { contents: string; loader: 'ts' } | undefined) => void }) {
    b.onLoad({ filter: /\.ts$/ }, (args) => {
      if (args.path.includes(`${path.sep}node_modules${path.sep}`)) return undefined;
      const text = fs.readFileSync(args.path, 'utf8');
      return { contents: text.replace(/\bimport\.meta\.url\b/g, JSON.stringify(pathToFileURL(args.path).href)), loader: 'ts' };
    });
  },
};

/**
 * esbuild plugin: zod's `locales` namespace (`z.locales`, ~50 languages, 366 KB of the 750 KB zod
 * puts in a bundle) keeps only English, the locale zod configures itself with and the only one
 * this project uses. Every command that validates input loads zod, and V8 parses the whole file
 * before running any of it: about half of zod's load time was other languages' messages.
 * If zod moves its locales, the filter matches nothing and the bundle keeps them all.
 */
const zodEnglishOnly = {
  name: 'zod-english-only',
  setup(b: {
    onResolve: (o: { filter: RegExp }, cb: (a: { path: string; importer: string }) => { path: string; namespace: string } | undefined) => void;
    onLoad: (o: { filter: RegExp; namespace: string }, cb: (a: { path: string }) => { contents: string; loader: 'js'; resolveDir: string }) => void;
  }) {
    b.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (a) => {
      if (!/[\\/]node_modules[\\/]zod[\\/]/.test(a.importer)) return undefined;
      const en = path.join(path.dirname(a.importer), '..', 'locales', 'en.js');
      return fs.existsSync(en) ? { path: en, namespace: 'zod-english-only' } : undefined;
    });
    b.onLoad({ filter: /.*/, namespace: 'zod-english-only' }, (a) => ({
      contents: `export { default as en } from ${JSON.stringify(a.path)};`,
      loader: 'js',
      resolveDir: path.dirname(a.path),
    }));
  },
};

/**
 * Marks a bundle folder as used by this process until it exits: prune leaves it alone while the
 * process lives (a marker left by a killed process is ignored). Best effort.
 */
export function markInUse(dir: string): void {
  const f = path.join(dir, inUseMarker(process.pid));
  try {
    fs.writeFileSync(f, '');
    process.once('exit', () => fs.rmSync(f, { force: true }));
  } catch {
    /* a read-only cache: nothing prunes it either */
  }
}

/** Whether a live process has marked `dir` in use (markInUse); markers of dead processes are removed. */
export function inUse(dir: string): boolean {
  let live = false;
  for (const n of fs.readdirSync(dir)) {
    const m = /^\.in-use-(\d+)$/.exec(n);
    if (!m) continue;
    try {
      process.kill(Number(m[1]), 0);
      live = true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EPERM') live = true; // alive, another user's
      else fs.rmSync(path.join(dir, n), { force: true });
    }
  }
  return live;
}

/** Removes the bundles named `<name>-…` beyond the newest KEEP that are older than KEEP_MS and not in use (never `keep`). */
function prune(cacheDir: string, keep: string, name: string): void {
  try {
    const dirs = fs
      .readdirSync(cacheDir)
      .filter((n) => n.startsWith(`${name}-`) && !n.endsWith('.json'))
      .map((n) => path.join(cacheDir, n))
      .filter((p) => p !== keep)
      .map((p) => ({ p, t: fs.statSync(p).mtimeMs }))
      .sort((a, b) => b.t - a.t);
    const old = Date.now() - KEEP_MS;
    for (const { p, t } of dirs.slice(KEEP - 1)) if (t < old && !inUse(p)) fs.rmSync(p, { recursive: true, force: true });
  } catch {
    /* pruning is best effort */
  }
}
