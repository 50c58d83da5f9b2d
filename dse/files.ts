import fs from 'node:fs';
import path from 'node:path';

/**
 * Every file below `dir` (recursively, unsorted), skipping node_modules and hidden entries; a
 * missing folder lists nothing. Used to fingerprint sources (model version, worker bundle).
 */
export function listFiles(dir: string, out: string[] = []): string[] {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return out;
  }
  for (const e of entries) {
    if (e.name === 'node_modules' || e.name.startsWith('.')) continue;
    const p = path.join(dir, e.name);
    if (e.isDirectory()) listFiles(p, out);
    else out.push(p);
  }
  return out;
}
