/** The message of the InputError (exit 2) that `f` throws; fails the test when it throws nothing or another error. */
import assert from 'node:assert/strict';
import { InputError } from '../dse/errors.ts';

export function inputErrorOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    assert.ok(e instanceof InputError, `expected InputError, got ${e}`);
    return (e as Error).message;
  }
  assert.fail('expected an error');
}
