// The cycle simulator's full result objects must stay bit-identical (every number the same double)
// on the recorded cases: shipped traces and generated workloads under the default design and seeded
// random designs (test/cycle-identity-cases.ts; regenerate only when the model changes on purpose).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { exactDiffs, identityCases, readIdentityFixture, runCases } from './cycle-identity-cases.ts';

test('cycle simulator: full results bit-identical to the recorded ones', { timeout: 300_000 }, () => {
  const { cases, results } = readIdentityFixture();
  // The recorded case list is the one the generator makes (no case silently dropped or changed).
  assert.deepEqual(cases, identityCases());
  assert.ok(cases.length >= 30, `only ${cases.length} cases`);
  const now = runCases(cases);
  const failures: string[] = [];
  for (const c of cases) {
    const d = exactDiffs(results[c.name], now.get(c.name));
    if (d.length) failures.push(`${c.name}: ${d.slice(0, 6).join('; ')}`);
  }
  assert.equal(failures.length, 0, failures.join('\n'));
});

test('exact comparison catches a last-bit change, a missing key and a changed string', () => {
  assert.deepEqual(exactDiffs({ a: 1, b: [1, 2], s: 'x' }, { a: 1, b: [1, 2], s: 'x' }), []);
  assert.equal(exactDiffs({ a: 0.1 + 0.2 }, { a: 0.3 }).length, 1);
  assert.equal(exactDiffs({ a: 1, b: 2 }, { a: 1 }).length, 1);
  assert.equal(exactDiffs({ s: 'x' }, { s: 'y' }).length, 1);
  assert.equal(exactDiffs([1, 2], [1]).length, 1);
});
