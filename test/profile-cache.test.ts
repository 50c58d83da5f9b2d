/**
 * The DRAM stream profiles kept between CLI processes (dse/profile-cache.ts): the file round-trips
 * every number bit for bit, its name covers every source the profile code runs, `simulate`
 * prints the same output with the cache off, filled by this run, and seeded from it; a process
 * reads the index and only the tables it uses, a damaged or cut file is never used (a flipped bit
 * inside a number is caught by the table's CRC-32: recomputed, and not copied forward), saving keeps
 * the other tables within the bound, and concurrent savers never leave a file a reader cannot use.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { crc32 } from 'node:zlib';
import os from 'node:os';
import path from 'node:path';
import { crc32Ts, decodeProfiles, encodeProfiles, loadProfileCache, profileCacheFile, ProfileCacheReader, saveProfileCache, tableCrc, tablesToSave } from '../dse/profile-cache.ts';
import { PROFILE_SOURCES } from '../dse/profile-key.ts';
import { memoProfile, profileTable, seedProfiles, takeProfiles, type ProfileSet } from '../sim/cycle/profiles.ts';
import { hbmTiming } from '../sim/cycle/hbm-timing.ts';
import { profileStream, type StreamProfile } from '../sim/cycle/dram-profile.ts';
import { SAVED_STREAMS, savedClock } from './fixtures/profile-cache-saver.ts';

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
  const bytes = encodeProfiles(sets);
  assert.throws(() => decodeProfiles(bytes.subarray(0, 20)), /truncated/); // cut in the index
  assert.throws(() => decodeProfiles(bytes.subarray(0, bytes.length - 8)), /truncated/); // cut in the tables
});

/** `simulate` of the per8 trace, cycle fidelity, 8 channels, JSON, with the cache folder `cache` (SPATTEN_CACHE_DIR, dse/cache-dir.ts: not the one checkouts share): its stdout. */
function simulate(cache: string, env: Record<string, string> = {}): string {
  const r = spawnSync(process.execPath, [BIN, 'simulate', '--trace', 'sim/workload/traces/summary-gpt2-small-wikitext2-per8.csv', '--fidelity', 'cycle', '--set', 'hw.dramChannels=8', '--json'], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, SPATTEN_CACHE_DIR: cache, ...env },
  });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

test('simulate prints the same with the profile cache off, filling it and seeded from it', () => {
  const cache = fs.mkdtempSync(path.join(os.tmpdir(), 'spatten-profile-cli-'));
  const run = (env: Record<string, string>) => simulate(cache, env);
  try {
    const file = profileCacheFile(cache)!;
    const off = run({ SPATTEN_PROFILE_CACHE: '0' });
    assert.ok(JSON.parse(off).cycles > 0, 'JSON.parse(off).cycles > 0');
    assert.ok(!fs.existsSync(file), 'the cache off writes no profiles');
    assert.equal(run({}), off);
    const filled = fs.readFileSync(file);
    assert.ok(decodeProfiles(filled).some((t) => t.entries.length > 0), 'the first run with the cache on wrote its profiles');
    assert.equal(run({}), off);
    assert.deepEqual(fs.readFileSync(file), filled, 'the seeded run computed nothing new, so did not rewrite the file');
  } finally {
    fs.rmSync(cache, { recursive: true, force: true });
  }
});

test('simulate given a file whose table has one flipped bit inside a number: computes the table (the output of no cache) and rewrites it good', () => {
  const cache = fs.mkdtempSync(path.join(os.tmpdir(), 'spatten-profile-cli-'));
  try {
    const file = profileCacheFile(cache)!;
    const off = simulate(cache, { SPATTEN_PROFILE_CACHE: '0' });
    assert.equal(simulate(cache), off);
    const filled = fs.readFileSync(file);
    // the largest table (the run's profiles); flip the top mantissa bit of its first profile's bursts (record: key, bursts, …)
    const r = ProfileCacheReader.open(file)!;
    const [id, { row, offset }] = [...r.index].sort((a, b) => b[1].row[1] - a[1].row[1])[0];
    r.close();
    assert.ok(row[1] > 100, `the run's table holds its profiles (${row[1]})`);
    const at = offset + 8 * 1;
    const bursts = filled.readDoubleLE(at);
    assert.ok(Number.isInteger(bursts) && bursts > 0, `a profile's bursts (${bursts})`);
    const bad = Buffer.from(filled);
    bad[at + 6] ^= 0x08; // bit 51 of the float64: bursts × 1.5 or ÷ 1.5-ish, still a finite, well-formed record
    assert.notEqual(bad.readDoubleLE(at), bursts);
    fs.writeFileSync(file, bad);
    assert.equal(simulate(cache), off, 'same output as with no cache: the damaged table was not used');
    assert.deepEqual(fs.readFileSync(file), filled, `the file is rewritten with the table computed again (${id.slice(0, 24)}…), bit for bit the first run's`);
  } finally {
    fs.rmSync(cache, { recursive: true, force: true });
  }
});

test('a new table asks the seeds once, for its own full identity, and uses what they give', () => {
  const t = hbmTiming({ clockGHz: 1, dramChannelGBps: 24 });
  const real = memoProfile(profileTable(4, t), 300, 30, 96, 4, t);
  const { sets } = takeProfiles();
  const mine = sets.find((s) => s.entries.some(([, p]) => p === real))!;
  const key = mine.entries.find(([, p]) => p === real)![0];
  // a fresh identity (8 channels, same timing) seeded with a marked copy: the table takes it without computing
  const id8 = mine.id.replace(/^4\|/, '8|');
  const marked = { ...real, occ: real.occ.slice(), hits: -1 };
  const asked: string[] = [];
  seedProfiles((id) => (asked.push(id), id === id8 ? [[key, marked]] : undefined));
  const tb8 = profileTable(8, t);
  assert.equal(profileTable(8, t), tb8);
  assert.equal(memoProfile(tb8, 300, 30, 96, 8, t), marked);
  assert.deepEqual(asked, [id8]); // once, though the table was asked for twice; the tables already made are not asked
  assert.equal(takeProfiles().computed, 0);
  seedProfiles(undefined);
});

const tmpDir = () => fs.mkdtempSync(path.join(os.tmpdir(), 'spatten-profile-cache-'));

/** Three fresh tables (2, 4 and 8 channels at 1.75 GHz, 20 GB/s), each of `n` profiles. */
function threeTables(n: number): ProfileSet[] {
  const t = hbmTiming({ clockGHz: 1.75, dramChannelGBps: 20 });
  const made = [2, 4, 8].map((ch) => {
    const tb = profileTable(ch, t);
    return Array.from({ length: n }, (_, i) => memoProfile(tb, 50 + i, 10 + i, 96, ch, t));
  });
  const { sets } = takeProfiles();
  return made.map((ps) => sets.find((s) => s.entries.some(([, p]) => p === ps[0]))!);
}

const sameEntries = (a: readonly (readonly [number, StreamProfile])[], b: readonly (readonly [number, StreamProfile])[]) => {
  assert.equal(a.length, b.length);
  for (let e = 0; e < a.length; e++) {
    assert.ok(Object.is(a[e][0], b[e][0]), `key ${e}`);
    assert.deepEqual(Object.keys(a[e][1]), Object.keys(b[e][1]));
    for (const f of ['bursts', 'bytes', 'occupancy', 'meanOccupancy', 'firstLatency', 'hits', 'misses'] as const) assert.ok(Object.is(a[e][1][f], b[e][1][f]), `${f} of entry ${e}`);
    assert.deepEqual([...a[e][1].occ], [...b[e][1].occ]);
  }
};

test('a reader reads the index and a table only when asked: a damaged or cut table costs only itself', () => {
  const dir = tmpDir();
  try {
    const sets = threeTables(3);
    const file = path.join(dir, 'c.bin');
    const bytes = encodeProfiles(sets);
    fs.writeFileSync(file, bytes);
    const r = ProfileCacheReader.open(file)!;
    assert.deepEqual([...r.index.keys()], sets.map((s) => s.id));
    for (const s of sets) sameEntries(r.entries(s.id)!, s.entries);
    assert.equal(r.entries('16|{}'), undefined);
    r.close();
    assert.equal(r.entries(sets[0].id), undefined, 'closed');
    // the middle table's first record claims 10^6 occupancy values (its CRC-32 that of these bytes): that table only is refused
    const { row, offset: second } = r.index.get(sets[1].id)!;
    const malformed = Buffer.from(bytes.subarray(second, second + row[2]));
    malformed.writeDoubleLE(1e6, 8 * 8);
    const bad = encodeProfiles(sets.map((s, i) => (i === 1 ? { id: s.id, count: s.entries.length, bytes: malformed } : s)));
    assert.equal(bad.length, bytes.length);
    fs.writeFileSync(file, bad);
    const rb = ProfileCacheReader.open(file)!;
    sameEntries(rb.entries(sets[0].id)!, sets[0].entries);
    assert.equal(rb.entries(sets[1].id), undefined);
    assert.equal(rb.records(sets[1].id), undefined);
    sameEntries(rb.entries(sets[2].id)!, sets[2].entries);
    rb.close();
    assert.throws(() => decodeProfiles(bad), /damaged/);
    // one flipped bit inside a number of the middle table (bit 51 of its second profile's occupancy; the records
    // stay well-formed): that table only is refused, by its CRC-32, and saving does not copy it forward
    const flipped = Buffer.from(bytes);
    const at = second + 8 * (9 + sets[1].entries[0][1].occ.length) + 8 * 3;
    flipped[at + 6] ^= 0x08;
    assert.notEqual(flipped.readDoubleLE(at), sets[1].entries[1][1].occupancy, 'the bit is inside the number');
    fs.writeFileSync(file, flipped);
    const rf = ProfileCacheReader.open(file)!;
    sameEntries(rf.entries(sets[0].id)!, sets[0].entries);
    assert.equal(rf.entries(sets[1].id), undefined, 'the table with a flipped bit is not used');
    assert.equal(rf.records(sets[1].id), undefined, 'nor its records copied');
    sameEntries(rf.entries(sets[2].id)!, sets[2].entries);
    const kept = tablesToSave([{ id: 'mine', entries: sets[0].entries.slice(0, 1) }], rf)!;
    assert.deepEqual(kept.map((t) => t.id), ['mine', sets[0].id, sets[2].id], 'saving drops the damaged table');
    sameEntries(decodeProfiles(encodeProfiles(kept))[2].entries, sets[2].entries);
    rf.close();
    assert.throws(() => decodeProfiles(flipped), /damaged/);
    // cut inside the last table: the index and the first two tables are still read, the last is refused
    fs.writeFileSync(file, bytes.subarray(0, bytes.length - 8));
    const rc = ProfileCacheReader.open(file)!;
    sameEntries(rc.entries(sets[1].id)!, sets[1].entries);
    assert.equal(rc.entries(sets[2].id), undefined);
    rc.close();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a file that is missing, of the old format, or cut in its head or index is not opened, and a load from it seeds nothing', () => {
  const dir = tmpDir();
  try {
    const file = profileCacheFile(dir)!;
    assert.equal(ProfileCacheReader.open(file), undefined, 'missing');
    const bytes = encodeProfiles(threeTables(2));
    const indexEnd = 8 + bytes.readUInt32LE(4);
    for (const cut of [0, 3, 7, 8, 9, indexEnd >> 1, indexEnd - 1]) {
      fs.writeFileSync(file, bytes.subarray(0, cut));
      assert.equal(ProfileCacheReader.open(file), undefined, `cut at ${cut}`);
    }
    const old = Buffer.from(bytes);
    old.writeUInt32LE(0x53445031, 0); // "SDP1": the format before the index
    fs.writeFileSync(file, old);
    assert.equal(ProfileCacheReader.open(file), undefined, 'old format');
    // the load does not throw, and a new table then computes its profiles
    assert.equal(loadProfileCache(dir), file);
    const t = hbmTiming({ clockGHz: 1.3, dramChannelGBps: 20 });
    const p = memoProfile(profileTable(2, t), 70, 7, 96, 2, t);
    assert.ok(p.bursts > 0, 'computed');
    assert.ok(takeProfiles().computed >= 1, 'computed, not seeded');
    saveProfileCache(undefined);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

/** An SDP3 file's bytes → the same tables in the format before the CRC (SDP2: index rows of identity, count, length). */
function asSdp2(sdp3: Buffer): Buffer {
  const pad = (il: number) => (8 - ((8 + il) % 8)) % 8;
  const il = sdp3.readUInt32LE(4);
  const rows = JSON.parse(sdp3.toString('utf8', 8, 8 + il)) as unknown[][];
  const index = Buffer.from(JSON.stringify(rows.map((row) => row.slice(0, 3))));
  const head = Buffer.alloc(8);
  head.writeUInt32LE(0x53445032, 0);
  head.writeUInt32LE(index.length, 4);
  return Buffer.concat([head, index, Buffer.alloc(pad(index.length)), sdp3.subarray(8 + il + pad(il))]);
}

test('a file of the format before the CRC (SDP2) is not opened: a table it holds is computed, not taken from it, and the file is rewritten', () => {
  const dir = tmpDir();
  try {
    const file = profileCacheFile(dir)!;
    const t = hbmTiming({ clockGHz: 1.45, dramChannelGBps: 20 });
    const id = `2|${JSON.stringify(t)}`;
    const real = profileStream(80, 9, 96, 2, t);
    const key = (96 * 2097152 + 80) * 2097152 + 9;
    // well-formed SDP2 records of the table, marked (hits -1) so that a use of them shows
    fs.writeFileSync(file, asSdp2(encodeProfiles([{ id, entries: [[key, { ...real, occ: real.occ.slice(), hits: -1 }]] }])));
    assert.equal(ProfileCacheReader.open(file), undefined, 'SDP2');
    const loaded = loadProfileCache(dir);
    assert.equal(loaded, file);
    const p = memoProfile(profileTable(2, t), 80, 9, 96, 2, t);
    assert.equal(p.hits, real.hits, 'computed, not the file\'s marked copy');
    sameEntries([[key, p]], [[key, real]]);
    saveProfileCache(loaded);
    const saved = decodeProfiles(fs.readFileSync(file));
    sameEntries(saved.find((s) => s.id === id)!.entries, [[key, real]]);
  } finally {
    seedProfiles(undefined);
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a table\'s CRC in the index is the CRC-32 of its bytes (zlib\'s; the TypeScript one gives the same)', () => {
  const check = Buffer.from('123456789'); // the CRC-32 check value
  assert.equal(crc32Ts(check), 0xcbf43926);
  assert.equal(tableCrc(check), 0xcbf43926);
  assert.equal(crc32Ts(new Uint8Array(0)), 0);
  const dir = tmpDir();
  try {
    const bytes = encodeProfiles(threeTables(2));
    fs.writeFileSync(path.join(dir, 'c.bin'), bytes);
    const r = ProfileCacheReader.open(path.join(dir, 'c.bin'))!;
    r.close();
    assert.equal(r.index.size, 3);
    for (const { row, offset } of r.index.values()) {
      const table = bytes.subarray(offset, offset + row[2]);
      assert.equal(row[3], crc32(table));
      assert.equal(crc32Ts(table), crc32(table));
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('saving keeps this run\'s tables, then the file\'s others in their order while within the bound, bit for bit', () => {
  const dir = tmpDir();
  try {
    const [a, b, c] = threeTables(4).map((s, i) => ({ ...s, entries: s.entries.slice(0, [3, 2, 4][i]) }));
    const file = path.join(dir, 'c.bin');
    fs.writeFileSync(file, encodeProfiles([a, b, c]));
    const r = ProfileCacheReader.open(file)!;
    const mine = { id: 'mine', entries: a.entries.slice(0, 1) };
    const ids = (max: number) => tablesToSave([mine], r, max)?.map((t) => t.id);
    assert.deepEqual(ids(1 + 9), ['mine', a.id, b.id, c.id]);
    assert.deepEqual(ids(1 + 5), ['mine', a.id, b.id]);
    assert.deepEqual(ids(1 + 4), ['mine', a.id]); // b (2) would not fit after a (3); c (4) neither
    assert.deepEqual(ids(1 + 2), ['mine', b.id]);
    assert.deepEqual(ids(1), ['mine']);
    assert.equal(ids(0), undefined, 'this run alone exceeds the bound: nothing written');
    // a table of this run replaces the file's of the same identity; the others' bytes are copied as they are
    const saved = decodeProfiles(encodeProfiles(tablesToSave([{ id: b.id, entries: mine.entries }], r, 100)!));
    assert.deepEqual(saved.map((s) => s.id), [b.id, a.id, c.id]);
    sameEntries(saved[0].entries, mine.entries);
    sameEntries(saved[1].entries, a.entries);
    sameEntries(saved[2].entries, c.entries);
    r.close();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('concurrent savers: every read of the file meanwhile is usable, and the last file holds exact numbers', async () => {
  const dir = tmpDir();
  const SAVERS = 3;
  const ROUNDS = 10;
  try {
    const file = profileCacheFile(dir)!;
    const saver = path.join(import.meta.dirname, 'fixtures', 'profile-cache-saver.ts');
    let running = SAVERS;
    const codes: (number | null)[] = [];
    for (let k = 0; k < SAVERS; k++) {
      const child = spawn(process.execPath, ['--import', 'tsx', saver, dir, String(k), String(ROUNDS)], { cwd: ROOT, stdio: 'ignore' });
      child.on('exit', (code) => (codes.push(code), running--));
    }
    let reads = 0;
    while (running > 0) {
      const r = ProfileCacheReader.open(file);
      if (r) {
        for (const id of r.index.keys()) assert.ok(r.entries(id), `a table of a file read while others save: ${id.slice(0, 40)}`);
        r.close();
        reads++;
      }
      await new Promise((res) => setTimeout(res, 1));
    }
    assert.deepEqual(codes, Array(SAVERS).fill(0));
    assert.ok(reads > 0, 'the file was read while the savers ran');
    assert.deepEqual(fs.readdirSync(dir), [path.basename(file)], 'no private file left behind');
    // every table of the last file is one a saver made, with the numbers profileStream gives
    const last = decodeProfiles(fs.readFileSync(file));
    const timing = new Map<string, ReturnType<typeof hbmTiming>>(); // full identity → timing, of every table a saver made
    for (let k = 0; k < SAVERS; k++) {
      for (let i = 0; i < ROUNDS; i++) {
        const t = hbmTiming({ clockGHz: savedClock(k, i), dramChannelGBps: 32 });
        timing.set(`2|${JSON.stringify(t)}`, t);
      }
    }
    const ids = new Set(last.map((s) => s.id));
    const whole = Array.from({ length: SAVERS }, (_, k) => k).filter((k) => [...timing.values()].slice(k * ROUNDS, (k + 1) * ROUNDS).every((t) => ids.has(`2|${JSON.stringify(t)}`)));
    assert.ok(whole.length >= 1, 'every table of the last saver is in the file');
    for (const s of last) {
      const t = timing.get(s.id);
      assert.ok(t, `table ${s.id.slice(0, 40)} is a saver's`);
      sameEntries(s.entries, SAVED_STREAMS.map(([L, n, B]) => [(B * 2097152 + L) * 2097152 + n, profileStream(L, n, B, 2, t)] as const));
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
