/**
 * The two memo keys that list the HBM timing's fields by hand: the analytical model's timing ids
 * (sim/hw/timing-id.ts readRow: every field but refresh) and the cycle model's stream-profile tables
 * (sim/cycle/profiles.ts profileTable). A field added to HbmTiming (a new DRAM knob) but not to a
 * key would let designs that differ in it share DRAM costs; each key either sees every field or
 * leaves it out on purpose, listed here with the reason. Also the copy the analytical model's
 * profiling channels make of a timing (sim/hw/profile-channel.ts copyTiming), field by field.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hbmTiming, type HbmTiming } from '../sim/cycle/hbm-timing.ts';
import { timingId } from '../sim/hw/timing-id.ts';
import { profileTable } from '../sim/cycle/profiles.ts';
import { copyTiming } from '../sim/hw/profile-channel.ts';

/** Refresh is applied as availability on top of the memoised costs (both keys leave it out). */
const REFRESH = ['tREFI', 'tRFC'];
/**
 * Left out of the profile key: tCCDS is nCCDS/nCCDL × tCCDL (both scale with the same clock and
 * interface factor); banks, burstsPerRow and burstBytes are HBM2 constants; pcs is 2 for every
 * design timing and 1 for every sub-channel timing, which only the RoBaCoRaCh mapping (in the key) makes.
 */
const PROFILE_DERIVED = ['tCCDS', 'pcs', 'banks', 'burstsPerRow', 'burstBytes'];

const base = (): HbmTiming => hbmTiming({ clockGHz: 1, dramChannelGBps: 32 });
function perturbed(t: HbmTiming, f: keyof HbmTiming): HbmTiming {
  const v = t[f];
  const other = typeof v === 'number' ? v + 1 : v === 'RoBaRaCoCh' ? 'RoBaCoRaCh' : 'RoBaRaCoCh';
  return { ...t, [f]: other };
}
const fields = Object.keys(base()) as (keyof HbmTiming)[];

test('the HBM timing has the fields these keys were written for', () => {
  assert.ok(fields.length >= 18, `HbmTiming fields: ${fields.join(', ')}`);
  for (const f of [...REFRESH, ...PROFILE_DERIVED]) assert.ok(fields.includes(f as keyof HbmTiming), `HbmTiming has no field ${f}: update this test's lists`);
});

test('timing ids (sim/hw/timing-id.ts readRow) tell apart timings that differ in any field but refresh', () => {
  const t = base();
  const id = timingId(t);
  for (const f of fields) {
    const same = timingId(perturbed(t, f)) === id;
    assert.equal(same, REFRESH.includes(f), `${f}: ${same ? 'the same id for another value: add it to readRow in sim/hw/timing-id.ts' : 'refresh should not change the id'}`);
  }
});

test('the profiling channels copy every field of a timing (sim/hw/profile-channel.ts copyTiming)', () => {
  for (const f of fields) {
    const from = perturbed(base(), f);
    const to = base();
    copyTiming(to, from);
    assert.deepEqual(to, from, `${f}: not copied: add it to copyTiming in sim/hw/profile-channel.ts`);
  }
});

test('stream-profile tables (sim/cycle/profiles.ts profileTable) differ for every field their key does not leave out on purpose', () => {
  const t = base();
  const table = profileTable(16, t);
  assert.equal(profileTable(16, { ...t }), table, 'an equal timing finds the same table');
  assert.notEqual(profileTable(8, t), table, 'another channel count');
  for (const f of fields) {
    const shared = profileTable(16, perturbed(t, f)) === table;
    const ignored = REFRESH.includes(f) || PROFILE_DERIVED.includes(f);
    assert.equal(shared, ignored, `${f}: ${shared ? 'shares the table of another value: add it to the key in sim/cycle/profiles.ts profileTable, or to PROFILE_DERIVED here with the reason' : 'now in the key: remove it from this test\'s lists'}`);
  }
});
