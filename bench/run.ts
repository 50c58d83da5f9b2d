/**
 * `npm run bench`: runs every bench/*.bench.ts module (each exports `run(): Promise<object>`) and
 * writes the figures to bench/results.json. Performance goals live here, never in tests.
 * `npm run bench -- NAME…` runs only the modules whose file name contains one of the NAMEs.
 */
import { readdirSync, writeFileSync, readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { SMOKE } from './smoke.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const filter = process.argv.slice(2);
const files = readdirSync(here)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => filter.length === 0 || filter.some((s) => f.includes(s)))
  .sort();
const out = path.join(here, 'results.json');
const results: Record<string, unknown> = existsSync(out) && filter.length > 0 ? JSON.parse(readFileSync(out, 'utf8')) : {};
results.machine = { node: process.version, cpus: os.cpus().length, cpu: os.cpus()[0]?.model ?? 'unknown', date: new Date().toISOString() };
for (const f of files) {
  const name = f.replace(/\.bench\.ts$/, '');
  process.stderr.write(`bench ${name} …\n`);
  const mod = await import(pathToFileURL(path.join(here, f)).href);
  const t0 = performance.now();
  results[name] = await mod.run();
  process.stderr.write(`bench ${name} done in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
}
if (!SMOKE) writeFileSync(out, JSON.stringify(results, null, 2) + '\n'); // (smoke mode: bench/smoke.ts)
console.log(JSON.stringify(results, null, 2));
