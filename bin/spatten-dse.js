#!/usr/bin/env node
// Launcher of the `spatten-dse` CLI.
//
// Fast path: the CLI compiled ahead of time (an esbuild bundle of dse/cli.ts, cached by
// dse/bundle.ts in the cache folder: node_modules/.cache/spatten-dse/, SPATTEN_CACHE_DIR, or the
// user's cache folder when the project's is not writable; see `cacheDir` below; one CommonJS file,
// compiled with V8's code cache by ./load-bundle.mjs) is loaded and run IN THIS PROCESS: no tsx,
// no child process, so signals reach the CLI directly (Ctrl-C, `kill -INT`, `kill -TERM` of this
// pid) and `kill -9` leaves nothing behind. Freshness is checked against the bundle's manifest
// (size and mtime of every source file, the entries of every source folder): a few stat calls.
//
// First run, or sources changed: dse/bundle.ts (compiled on the fly with esbuild, no tsx) hashes
// the sources and reuses or rebuilds the bundle, then the CLI runs from it, still in-process.
//
// Fallback (esbuild unavailable, no writable cache folder, SPATTEN_CLI_BUNDLE=0 while developing, or
// SPATTEN_WORKER_BUNDLE=0): the TypeScript sources run through tsx in a child process
// (`node --import tsx dse/cli.ts …`). The child gets its own process group, so a Ctrl-C reaches
// it once, forwarded by the launcher; SIGINT, SIGTERM and SIGHUP sent to the launcher are
// forwarded (after SIGHUP the launcher, too, lets go of the terminal at its exit); the child
// watches an IPC channel to the launcher and terminates itself (SIGTERM) when the launcher dies,
// even by `kill -9`. The launcher exits with the child's code (or re-raises its
// signal). SPATTEN_DEBUG=1 prints the cache folder and which path was taken.
// (node:child_process is imported only on the fallback path: loading it costs ~20-40 ms.)
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const argv = process.argv.slice(2);

/**
 * The cache folder: the same rule as dse/cache-dir.ts `resolveCacheDir` (test/cache-dir.test.ts
 * checks that both pick the same folder): SPATTEN_CACHE_DIR; else the project's
 * node_modules/.cache/spatten-dse if it can be created and written; else the user's cache folder
 * (never a shared one such as /tmp). A folder created outside the project gets mode 0o700.
 */
function cacheDir() {
  const own = path.join(ROOT, 'node_modules', '.cache', 'spatten-dse');
  let dir = process.env.SPATTEN_CACHE_DIR && path.resolve(process.env.SPATTEN_CACHE_DIR);
  if (!dir) {
    try {
      fs.mkdirSync(own, { recursive: true });
      fs.accessSync(own, fs.constants.W_OK);
      return own;
    } catch {
      const xdg = process.env.XDG_CACHE_HOME;
      dir = path.join(xdg && path.isAbsolute(xdg) ? xdg : path.join(process.env.HOME || createRequire(import.meta.url)('node:os').homedir(), '.cache'), 'spatten-dse');
    }
  }
  try {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch {
    /* best effort: without a cache the sources run through tsx */
  }
  return dir;
}
const CACHE = cacheDir();
if (process.env.SPATTEN_DEBUG) process.stderr.write(`spatten-dse: cache folder ${CACHE}\n`);

/** Same name as dse/bundle.ts `cliManifestFile` (one manifest per checkout: checkouts may share node_modules). */
const manifestFile = () => path.join(CACHE, `cli-${ROOT.replace(/[^A-Za-z0-9]+/g, '_').slice(-120)}.json`);

/**
 * file: URL of the CLI bundle if its manifest matches the sources on disk, else undefined.
 * (Paths are joined by concatenation: the manifest's are relative and normalised, and 200
 * `path.join` calls on a cold JIT took longer than the `stat` calls themselves.)
 */
function freshBundle() {
  try {
    const m = JSON.parse(fs.readFileSync(manifestFile(), 'utf8'));
    const root = ROOT + path.sep;
    for (const dir in m.folders) {
      const names = m.folders[dir];
      const now = fs
        .readdirSync(root + dir)
        .filter((n) => n !== 'node_modules' && !n.startsWith('.'))
        .sort();
      if (now.length !== names.length || now.some((n, i) => n !== names[i])) return undefined;
    }
    const files = m.files;
    for (const file in files) {
      const want = files[file]; // [size, mtimeMs] (indexed: array destructuring runs the iterator protocol, slow on a cold JIT)
      const st = fs.statSync(root + file);
      if (st.size !== want[0] || st.mtimeMs !== want[1]) return undefined;
    }
    const bundle = path.join(CACHE, m.bundle);
    // a manifest of the ES-module bundle of earlier versions names cli.mjs: rebuild
    return bundle.endsWith('.cjs') && fs.existsSync(bundle) ? pathToFileURL(bundle).href : undefined;
  } catch {
    return undefined;
  }
}

/** Builds (or finds by hash) the CLI bundle through dse/bundle.ts, compiled with esbuild; undefined on failure. */
async function buildBundle() {
  const builder = path.join(CACHE, `builder-${process.pid}-${Date.now()}.mjs`);
  try {
    const esbuild = await import('esbuild');
    const src = path.join(ROOT, 'dse', 'bundle.ts');
    fs.mkdirSync(CACHE, { recursive: true });
    await esbuild.build({
      entryPoints: [src],
      bundle: true,
      format: 'esm',
      platform: 'node',
      packages: 'external',
      outfile: builder,
      define: { 'import.meta.url': JSON.stringify(pathToFileURL(src).href) },
      logLevel: 'silent',
    });
    const { cliBundle } = await import(pathToFileURL(builder).href);
    const url = (await cliBundle(CACHE, esbuild))?.url; // esbuild given: it may not resolve from CACHE
    await esbuild.stop(); // its service process would otherwise live as long as the CLI
    return url;
  } catch {
    return undefined;
  } finally {
    try {
      fs.rmSync(builder, { force: true });
    } catch {
      /* CACHE is not a folder (ENOTDIR): nothing was written */
    }
  }
}

/**
 * After SIGHUP: at this process's exit, its fds 0-2 that are character devices (a terminal) are
 * replaced by /dev/null, so that it exits with the child's code instead of dying in Node's
 * restoring of the settings of a hung-up terminal. The same as dse/stop.ts `releaseTerminalAtExit`
 * (which says why), for the launcher of the child process, which cannot import the TypeScript.
 */
let releasing = false;
function releaseTerminalAtExit() {
  if (releasing) return;
  releasing = true;
  process.once('exit', () => {
    for (const fd of [0, 1, 2]) {
      try {
        if (!fs.fstatSync(fd).isCharacterDevice()) continue;
        fs.closeSync(fd);
        fs.openSync('/dev/null', fd === 0 ? 'r' : 'w');
      } catch {
        /* a closed fd: Node skips it */
      }
    }
  });
}

/** The CLI from the TypeScript sources in a child process (see the header for signals). */
async function runWithTsx() {
  const { spawn } = await import('node:child_process');
  const require = createRequire(import.meta.url);
  const loader = pathToFileURL(require.resolve('tsx')).href;
  const watch = pathToFileURL(path.join(ROOT, 'bin', 'parent-watch.mjs')).href;
  const entry = path.join(ROOT, 'dse', 'cli.ts');
  const child = spawn(process.execPath, ['--import', loader, '--import', watch, entry, ...argv], { stdio: ['inherit', 'inherit', 'inherit', 'ipc'], detached: true });
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, () => {
    child.kill(sig);
    if (sig === 'SIGHUP') releaseTerminalAtExit();
  });
  child.on('exit', (code, signal) => {
    if (signal) {
      process.removeAllListeners(signal);
      process.kill(process.pid, signal);
    } else process.exit(code ?? 1);
  });
}

// SPATTEN_WORKER_BUNDLE=0 asks for pool workers on the sources through tsx: they inherit the CLI's
// Node flags, so the CLI must run under tsx too.
const fromSources = process.env.SPATTEN_CLI_BUNDLE === '0' || process.env.SPATTEN_WORKER_BUNDLE === '0';
const url = fromSources ? undefined : (freshBundle() ?? (await buildBundle()));
// Marks the bundle in use while this process lives (dse/bundle.ts `inUse`): another process that
// builds a newer bundle and prunes old ones leaves it alone, so its lazily loaded chunks stay.
if (url) {
  const marker = path.join(path.dirname(fileURLToPath(url)), `.in-use-${process.pid}`);
  try {
    fs.writeFileSync(marker, '');
    // unlinkSync, not rmSync: rmSync loads Node's recursive-removal module (~0.6 ms) for one file
    process.once('exit', () => {
      try {
        fs.unlinkSync(marker);
      } catch {
        /* already gone */
      }
    });
  } catch {
    /* best effort */
  }
}
let cli;
try {
  cli = url ? (await import('./load-bundle.mjs')).loadBundle(fileURLToPath(url), argv[0]) : undefined;
} catch {
  cli = undefined; // a damaged cache: the sources still work
}
if (process.env.SPATTEN_DEBUG) process.stderr.write(`spatten-dse: ${cli ? `in-process from ${fileURLToPath(url)}${cli.cacheUsed ? ' (code cache)' : ''}` : 'tsx child process'}\n`);
if (cli) {
  cli.exports.main(argv).then(
    (code) => {
      if (code === 0) cli.saveCache();
      process.exit(code);
    },
    (e) => {
      process.stderr.write(`error: ${e?.message ?? String(e)}\n`);
      process.exit(1);
    },
  );
} else await runWithTsx();
