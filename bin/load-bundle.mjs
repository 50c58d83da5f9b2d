// Loads the CLI bundle (one CommonJS file, dse/bundle.ts) with V8's code cache.
//
// An ES module is compiled from its source by every process: Node 20 has no code cache for
// modules (module.enableCompileCache came with Node 22). A script compiled with node:vm can be
// given the code V8 produced for the same source in an earlier process: its bytecode, including
// every function that process ran, so neither the bundle's top level nor the functions a command
// runs are parsed and compiled again.
//
// - One cache file per command (`simulate`, `run`, …; `main` for options alone such as --help),
//   beside the bundle, written after a command that exited 0, when there was none or V8 refused
//   it (another Node version or V8 flags). A bundle folder is named by the hash of its sources
//   (dse/bundle.ts), so a cache never outlives the source it was made from.
// - The cache is written to a private file and renamed: a concurrent process sees it whole or not
//   at all. Any failure to read or write it only costs the compilation it would have saved.
// - The bundle runs as Node runs a CommonJS file: in a function of (exports, require, module,
//   __filename, __dirname) — the file is that function's text — strict (its body starts with
//   "use strict"). It holds no import(): Node 20 cannot run one in a script compiled from a code
//   cache ("A dynamic import callback was not specified"), so esbuild made them require(), and
//   the ES modules require() cannot load (vega, the worker bundle) are imported here
//   (core/import-esm.ts).
import fs from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';
import { createRequire } from 'node:module';

/**
 * The cache file of `command` for `file` (a command name the CLI could have; anything else is
 * `main`). V8 refuses a cache made under other V8 flags, so a process started with Node flags
 * (`node --max-old-space-size=… bin/spatten-dse.js`, NODE_OPTIONS) has its own, named by a hash of
 * them: runs with and without flags do not overwrite each other's cache.
 */
export function cacheFileOf(file, command) {
  const name = typeof command === 'string' && /^[a-z][a-z0-9-]{0,31}$/.test(command) ? command : 'main';
  const flags = [...process.execArgv, process.env.NODE_OPTIONS ?? ''].join(' ').trim();
  return `${file}.${name}${flags ? `-${fnv1a(flags)}` : ''}.v8cache`;
}

/** 32-bit FNV-1a of a string's UTF-16 units, in hex. */
function fnv1a(s) {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return (h >>> 0).toString(16).padStart(8, '0');
}

/**
 * Compiles and runs the CommonJS bundle `file`; returns its exports and `saveCache()`, which writes
 * the code cache of `command` if this process had none it could use.
 */
export function loadBundle(file, command) {
  // a Buffer's toString() decodes faster than readFileSync(file, 'utf8') (V8's own UTF-8 decoder) on
  // Node 20: 12–15 against 17–19 ms for 1.9 MB
  const source = fs.readFileSync(file).toString();
  const cacheFile = cacheFileOf(file, command);
  let cachedData;
  try {
    cachedData = fs.readFileSync(cacheFile);
  } catch {
    /* none yet */
  }
  // core/import-esm.ts: import() for the ES modules require() cannot load (vega, the worker bundle)
  globalThis[Symbol.for('spatten-dse.import-esm')] ??= (specifier) => import(specifier);
  // the file is one function expression of (exports, require, module, __filename, __dirname) (dse/bundle.ts)
  const script = new vm.Script(source, { filename: file, cachedData });
  const module = { exports: {} };
  script.runInThisContext()(module.exports, createRequire(file), module, file, path.dirname(file));
  const saveCache = () => {
    if (cachedData && !script.cachedDataRejected) return;
    const tmp = `${cacheFile}.${process.pid}`;
    try {
      fs.writeFileSync(tmp, script.createCachedData());
      fs.renameSync(tmp, cacheFile);
    } catch {
      try {
        fs.unlinkSync(tmp);
      } catch {
        /* never written */
      }
    }
  };
  return { exports: module.exports, saveCache, cacheUsed: !!cachedData && !script.cachedDataRejected };
}
