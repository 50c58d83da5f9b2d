/**
 * The driver registry's `adaptive` declaration matches what each driver does: a non-adaptive
 * driver proposes the same trials whatever results it is told and however they are batched (so the
 * runner may ask for all of them at once), an adaptive one (NSGA-II) changes its proposals with
 * the results.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Driver, ParamDomain, Trial } from '../dse/driver.ts';
import { DRIVERS, DRIVER_NAMES, createDriver, driverInfo } from '../dse/drivers/index.ts';

const SPACE: ParamDomain[] = [
  { key: 'a', kind: 'choice', values: [1, 2, 3, 4, 5, 6] },
  { key: 'b', kind: 'choice', values: [10, 20, 30, 40, 50] },
  { key: 'c', kind: 'choice', values: ['x', 'y', 'z'] },
];
const objectives = [
  { metric: 'f', goal: 'min' as const },
  { metric: 'g', goal: 'min' as const },
];
const search = (driver: string) => ({ driver, samples: 40, population: 12, generations: 4 }) as Parameters<typeof createDriver>[0];

/** Every trial the driver proposes, asking `batch` at a time and telling each batch's results from `score`. */
function drain(d: Driver, batch: number, score: (t: Trial) => [number, number]): string[] {
  const out: string[] = [];
  for (let guard = 0; !d.done() && guard < 1000; guard++) {
    const ts = d.ask(batch);
    out.push(...ts.map((t) => JSON.stringify(t.params)));
    d.tell(ts.map((t) => ({ id: t.id, params: t.params, metrics: { f: score(t)[0], g: score(t)[1] }, status: 'ok' as const, violation: 0 })));
  }
  return out;
}

const num = (t: Trial, k: string) => t.params[k] as number;
const scoreA = (t: Trial): [number, number] => [num(t, 'a') + num(t, 'b') / 10, 100 - num(t, 'a') * num(t, 'b')];
const scoreB = (t: Trial): [number, number] => [-num(t, 'a'), num(t, 'b')];

test('every driver declares whether it adapts to results', () => {
  for (const name of DRIVER_NAMES) assert.equal(typeof driverInfo(name).adaptive, 'boolean', name);
  assert.equal(DRIVERS.nsga2.adaptive, true);
});

for (const name of DRIVER_NAMES) {
  test(`${name}: trials ${driverInfo(name).adaptive ? 'depend' : 'do not depend'} on the results told`, () => {
    const make = () => createDriver(search(name), { space: SPACE, objectives, seed: 3 });
    const info = driverInfo(name);
    const base = drain(make(), info.batch(search(name), { jobs: 2, cpuBound: true }), scoreA);
    const other = drain(make(), info.batch(search(name), { jobs: 2, cpuBound: true }), scoreB);
    assert.ok(base.length > 0, 'base.length > 0');
    if (info.adaptive) {
      assert.notDeepEqual(other, base, 'an adaptive driver proposes differently when the results differ');
    } else {
      assert.deepEqual(other, base);
      // and asking for everything at once gives the same trials in the same order
      assert.deepEqual(drain(make(), 1 << 16, scoreB), base);
    }
  });
}
