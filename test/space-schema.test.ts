/**
 * The editor schema (`schema --out`, space.schema.json) carries each hardware and algorithm knob's
 * description: the hardware block's fields, described after their `.default()`, used to lose it
 * when the block made them optional, so an editor showed no help for any hw.* field.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spaceJsonSchema } from '../dse/space.ts';
import { AlgoSchema, HardwareSchema } from '../sim/schema.ts';
import { PAPER_KB_BYTES } from '../sim/cycle/geometry.ts';
import area from '../sim/hw/tables/area.json' with { type: 'json' };

type Props = Record<string, { description?: string }>;
const block = (name: string): Props => (spaceJsonSchema() as { properties: Record<string, { properties: Props }> }).properties[name].properties;

test('the hardware block of the editor schema describes its fields as sim/schema.ts does', () => {
  const hw = block('hardware');
  assert.match(hw.keySramKB.description ?? '', /^Key SRAM capacity in the paper's KB: 196 KB = /);
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

test("the SRAM sizes say which KB: the key/value SRAMs in the paper's KB (196 KB = 196,608 B, as the models count them), the fetcher FIFOs in KB of 1,024 B", () => {
  const d = (k: keyof typeof HardwareSchema.shape) => HardwareSchema.shape[k].description ?? '';
  const bytes = (196 * PAPER_KB_BYTES).toLocaleString('en-US');
  const perKB = PAPER_KB_BYTES.toLocaleString('en-US', { maximumFractionDigits: 1 });
  assert.equal(bytes, '196,608');
  for (const k of ['keySramKB', 'valueSramKB'] as const) {
    assert.match(d(k), new RegExp(`paper's KB.*196 KB = (.* = )?${bytes} B.*1 KB (= .* )?≈ ${perKB} B`), `hw.${k}: ${d(k)}`);
  }
  const fifo = area.fetcherFifoBytesPerPort.value;
  assert.match(d('fetcherPorts'), new RegExp(`${fifo / 1024} KB of address and data FIFOs, KB of 1,024 B \\(${fifo.toLocaleString('en-US')} B\\)`), 'hw.fetcherPorts');
});
