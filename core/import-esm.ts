/**
 * import() of an ES module that `require` cannot load: vega and vega-lite (top-level await) and
 * the worker bundle's file: URL. The CLI runs as one CommonJS bundle compiled with V8's code
 * cache (dse/bundle.ts, bin/load-bundle.mjs), where esbuild turns every import() into require()
 * (an import() in a script compiled from a code cache fails on Node 20: "A dynamic import
 * callback was not specified"). The loader, an ES module itself, installs an import function under
 * this symbol; from the sources (tsx, the worker bundle) the import() is native.
 */
const HOOK = Symbol.for('spatten-dse.import-esm');

export function importEsm<T>(specifier: string): Promise<T> {
  const hook = (globalThis as Record<symbol, unknown>)[HOOK] as ((s: string) => Promise<T>) | undefined;
  return hook ? hook(specifier) : (import(specifier) as Promise<T>);
}
