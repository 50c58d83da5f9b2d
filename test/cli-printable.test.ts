/**
 * Error lines for the terminal (dse/cli-util.ts printable): control characters replaced, a long
 * line cut in the middle so that its end — where an error says what to do — is kept.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { printable } from '../dse/cli-util.ts';

test('a long error line keeps its start and its advice at the end; short lines and control characters', () => {
  const line = `error: results folder r: ${'x'.repeat(600)}; rerun with --fresh to discard it and start over, or choose another --out folder`;
  const out = printable(line);
  assert.ok(out.startsWith('error: results folder r: xxx'), out.slice(0, 40));
  assert.ok(out.endsWith('rerun with --fresh to discard it and start over, or choose another --out folder'), out.slice(-90));
  assert.equal(out.length, 250 + 3 + 150);
  assert.equal(printable('short\u0007 line\nsecond'), 'short? line\nsecond');
  assert.equal(printable('y'.repeat(400)), 'y'.repeat(400));
});
