// Runs a bench script bundled as the CLI is (dse/bundle.ts `bundleLikeCli`: one CommonJS file),
// loaded as the launcher loads the CLI (bin/load-bundle.mjs, with V8's code cache, written after
// the first run): `node bench/run-bundle.mjs FILE ARGS…` calls the bundle's
// `main(args, loaded)`, where `loaded` is [wall ms, CPU ms] at this file's first line and after
// loading the bundle. Exits with main's code.
import { loadBundle } from '../bin/load-bundle.mjs';

const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const start = [performance.now(), cpu()];
const bundle = loadBundle(process.argv[2], 'bench');
const loaded = { start, end: [performance.now(), cpu()] };
const code = await bundle.exports.main(process.argv.slice(3), loaded);
bundle.saveCache();
process.exit(code ?? 0);
