/**
 * The editor schema (`schema --out`, space.schema.json) carries each hardware and algorithm knob's
 * description: the hardware block's fields, described after their `.default()`, used to lose it
 * when the block made them optional, so an editor showed no help for any hw.* field.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spaceJsonSchema } from '../dse/space.ts';
import { AlgoSchema, HardwareSchema } from '../sim/schema.ts';

type Props = Record<string, { description?: string }>;
const block = (name: string): Props => (spaceJsonSchema() as { properties: Record<string, { properties: Props }> }).properties[name].properties;

test('the hardware block of the editor schema describes its fields as sim/schema.ts does', () => {
  const hw = block('hardware');
  assert.equal(hw.keySramKB.description, 'Key SRAM capacity in KB');
  assert.equal(hw.dramChannels.description, 'HBM2 channels');
  for (const [k, f] of Object.entries(HardwareSchema.shape)) {
    assert.ok(f.description, `sim/schema.ts: hw.${k} has no description`);
    assert.equal(hw[k]?.description, f.description, `hardware.${k}`);
  }
});

test('the algo block of the editor schema keeps every description sim/schema.ts gives', () => {
  const algo = block('algo');
  for (const [k, f] of Object.entries(AlgoSchema.shape)) if (f.description) assert.equal(algo[k]?.description, f.description, `algo.${k}`);
});
