// Golden outputs: the numbers of test/golden-cases.ts's commands must not move unless a commit
// means them to (then: `npx tsx test/golden-cases.ts --update`, in a commit that says why).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GOLDEN_CASES, compareGolden, readFixture, runAll } from './golden-cases.ts';

test('golden outputs: runs, simulate --json on every shipped trace, reproduce, compare', { timeout: 600_000 }, async () => {
  const results = await runAll(GOLDEN_CASES);
  const failures: string[] = [];
  for (const c of GOLDEN_CASES) {
    const diffs = compareGolden(readFixture(c), results.get(c.name));
    if (diffs.length) failures.push(`${c.name} (${c.argv.join(' ')}):\n  ${diffs.slice(0, 8).join('\n  ')}`);
  }
  assert.equal(failures.length, 0, failures.join('\n'));
});

test('golden comparison catches a changed number, a missing key and a shorter array', () => {
  assert.deepEqual(compareGolden({ a: 1, b: [1, 2] }, { a: 1 + 1e-12, b: [1, 2], c: 5 }), []);
  assert.equal(compareGolden({ a: 1 }, { a: 1.0001 }).length, 1);
  assert.equal(compareGolden({ a: 1, b: 2 }, { a: 1 }).length, 1);
  assert.equal(compareGolden([1, 2], [1]).length, 1);
  // A later change that prints fewer digits passes only within half a unit of its last digit.
  assert.deepEqual(compareGolden([{ x: '18.709997119999997' }], [{ x: '18.71' }]), []);
  assert.equal(compareGolden([{ x: '18.709997119999997' }], [{ x: '18.72' }]).length, 1);
});
