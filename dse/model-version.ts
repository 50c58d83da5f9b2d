/** Identity of the models, part of every journal key (dse/journal.ts). */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { listFiles } from './files.ts';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.join(HERE, '..');

let cachedModelVersion: string | undefined;

/**
 * The files the model version covers: everything under sim/ but its prose (*.md: sim/cycle and
 * sim/nn's READMEs, whose generated figures `npm run readme` rewrites; a text edit there never
 * changes a result, and would make every journal's results be evaluated again), and the
 * evaluator's modules that decide a result.
 */
export function modelFiles(root = ROOT): string[] {
  const files = listFiles(path.join(root, 'sim')).filter((f) => !f.endsWith('.md'));
  files.push(...['evaluate.ts', 'accuracy-runs.ts', 'point-checks.ts'].map((f) => path.join(root, 'dse', f)));
  return files.sort();
}

/**
 * Identity of the models: sha256 over the sources and tables of sim/ and the evaluator with its
 * accuracy runs (accuracy-runs.ts) and point checks (point-checks.ts: they decide that a point
 * fails) (paths + contents), and over other files there (checkpoint weights, data) by path, size
 * and first MiB, so results are reused only while the code and data that produced them are
 * unchanged (`modelFiles`: sim/'s READMEs are not among them).
 */
export function modelVersion(): string {
  if (cachedModelVersion) return cachedModelVersion;
  const h = createHash('sha256');
  for (const f of modelFiles()) {
    h.update(path.relative(ROOT, f));
    h.update('\0');
    try {
      if (/\.(ts|json|csv|yaml)$/.test(f)) h.update(fs.readFileSync(f));
      else {
        const fd = fs.openSync(f, 'r');
        try {
          const size = fs.fstatSync(fd).size;
          const buf = Buffer.alloc(Math.min(size, 1 << 20));
          fs.readSync(fd, buf, 0, buf.length, 0);
          h.update(String(size));
          h.update(buf);
        } finally {
          fs.closeSync(fd);
        }
      }
    } catch {
      /* vanished */
    }
    h.update('\0');
  }
  cachedModelVersion = 'src-' + h.digest('hex').slice(0, 16);
  return cachedModelVersion;
}

/** Fidelity label of a run's primary evaluation. */
