/**
 * The key of the DRAM stream-profile cache (dse/profile-cache.ts): a hash of the sources whose code
 * computes a profile. Apart from the cache itself so that dse/bundle.ts can compute it when it
 * builds the CLI: a run from the bundle then reads the key as a constant instead of loading
 * node:crypto (~5 ms of a cold start) and hashing the files again.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The files whose code computes a profile (test/profile-cache.test.ts checks the list is closed under imports). */
export const PROFILE_SOURCES = ['sim/cycle/profiles.ts', 'sim/cycle/dram-profile.ts', 'sim/cycle/dram.ts', 'sim/cycle/hbm-timing.ts', 'sim/cycle/gather-layout.ts'];

/** sha256 of PROFILE_SOURCES (contents, in order), 16 hex digits; throws if one cannot be read. */
export function profileSourcesKey(root = ROOT): string {
  const { createHash } = createRequire(import.meta.url)('node:crypto') as typeof import('node:crypto');
  const h = createHash('sha256');
  for (const f of PROFILE_SOURCES) h.update(fs.readFileSync(path.join(root, f))).update('\0');
  return h.digest('hex').slice(0, 16);
}
