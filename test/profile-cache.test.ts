/**
 * The DRAM stream profiles kept between CLI processes (dse/profile-cache.ts): the file round-trips
 * every number bit for bit, its name covers every source the profile code runs, and `simulate`
 * prints the same output with the cache off, filled by this run, and seeded from it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { decodeProfiles, encodeProfiles } from '../dse/profile-cache.ts';
import { PROFILE_SOURCES } from '../dse/profile-key.ts';
import { memoProfile, profileTable, seedProfiles, takeProfiles } from '../sim/cycle/profiles.ts';
import { hbmTiming } from '../sim/cycle/dram.ts';

const ROOT = path.join(import.meta.dirname, '..');
const BIN = path.join(ROOT, 'bin', 'spatten-dse.js');

test('profile cache sources are closed under their (non-type) imports', () => {
  for (const f of PROFILE_SOURCES) {
    const text = fs.readFileSync(path.join(ROOT, f), 'utf8');
    for (const m of text.matchAll(/^import\s+(type\s+)?[^'"]*from\s+'([^']+)'/gm)) {
      if (m[1] || !m[2].startsWith('.')) continue;
      const dep = path.relative(ROOT, path.join(ROOT, path.dirname(f), m[2]));
      assert.ok(PROFILE_SOURCES.includes(dep), `${f} imports ${dep}, which PROFILE_SOURCES does not hash`);
    }
  }
});

test('profiles round-trip through the cache encoding bit for bit', () => {
  const t = hbmTiming({ clockGHz: 1, dramChannelGBps: 32 });
  const table = profileTable(16, t);
  const made = [memoProfile(table, 993, 204, 96, 16, t), memoProfile(table, 1000, 1000, 128, 16, t), memoProfile(table, 5, 0, 96, 16, t)];
  assert.ok(made[0].bursts > 0 && made[0].occ.some((x) => x > 0), 'a real profile');
  const { sets, computed } = takeProfiles();
  assert.ok(computed >= 3, 'computed >= 3');
  const back = decodeProfiles(encodeProfiles(sets));
  assert.equal(back.length, sets.length);
  for (let s = 0; s < sets.length; s++) {
    assert.equal(back[s].id, sets[s].id);
    assert.equal(back[s].entries.length, sets[s].entries.length);
    for (let e = 0; e < sets[s].entries.length; e++) {
      const [k0, p0] = sets[s].entries[e];
      const [k1, p1] = back[s].entries[e];
      assert.ok(Object.is(k0, k1), 'Object.is(k0, k1)');
      assert.deepEqual(Object.keys(p1), Object.keys(p0)); // same fields, same order (same object shape)
      for (const f of ['bursts', 'bytes', 'occupancy', 'meanOccupancy', 'firstLatency', 'hits', 'misses'] as const) assert.ok(Object.is(p0[f], p1[f]), f);
      assert.deepEqual([...p1.occ], [...p0.occ]);
    }
  }
  assert.throws(() => decodeProfiles(Buffer.from('not a cache at all')), /not a profile cache/);
  assert.throws(() => decodeProfiles(encodeProfiles(sets).subarray(0, 200)), /truncated|JSON/);
});

test('simulate prints the same with the profile cache off, filling it and seeded from it', () => {
  const run = (env: Record<string, string>) => {
    const r = spawnSync(process.execPath, [BIN, 'simulate', '--trace', 'sim/workload/traces/summary-gpt2-small-wikitext2-per8.csv', '--fidelity', 'cycle', '--set', 'hw.dramChannels=8', '--json'], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, ...env },
    });
    assert.equal(r.status, 0, r.stderr);
    return r.stdout;
  };
  const off = run({ SPATTEN_PROFILE_CACHE: '0' });
  assert.ok(JSON.parse(off).cycles > 0, 'JSON.parse(off).cycles > 0');
  assert.equal(run({}), off);
  assert.equal(run({}), off);
});

test('seeded profiles are used by the table of the same full identity only; the others are kept unclaimed', () => {
  const t = hbmTiming({ clockGHz: 1, dramChannelGBps: 24 });
  const other = hbmTiming({ clockGHz: 1.5, dramChannelGBps: 24 });
  const real = (() => {
    const tb = profileTable(4, t);
    return memoProfile(tb, 300, 30, 96, 4, t);
  })();
  const { sets } = takeProfiles();
  const mine = sets.find((s) => s.entries.some(([, p]) => p === real))!;
  // a fresh identity (8 channels, same timing) seeded with a marked copy: the table takes it without computing
  const id8 = mine.id.replace(/^4\|/, '8|');
  const marked = { ...real, occ: real.occ.slice(), hits: -1 };
  const key = mine.entries.find(([, p]) => p === real)![0];
  seedProfiles([{ id: id8, entries: [[key, marked]] }, { id: `8|${JSON.stringify(other)}`, entries: [[key, marked]] }]);
  const tb8 = profileTable(8, t);
  assert.equal(memoProfile(tb8, 300, 30, 96, 8, t), marked);
  const after = takeProfiles();
  assert.equal(after.computed, 0);
  assert.deepEqual(after.unclaimed.map((s) => s.id), [`8|${JSON.stringify(other)}`]);
});
