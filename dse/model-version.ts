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
 * Identity of the models: sha256 over the sources and tables of sim/ and the evaluator with its
 * accuracy runs (accuracy-runs.ts) and point checks (point-checks.ts: they decide that a point
 * fails) (paths + contents), and over other files there (checkpoint weights, data) by path, size
 * and first MiB, so results are reused only while the code and data that produced them are
 * unchanged.
 */
export function modelVersion(): string {
  if (cachedModelVersion) return cachedModelVersion;
  const h = createHash('sha256');
  const files = listFiles(path.join(ROOT, 'sim'));
  files.push(path.join(HERE, 'evaluate.ts'), path.join(HERE, 'accuracy-runs.ts'), path.join(HERE, 'point-checks.ts'));
  for (const f of files.sort()) {
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
