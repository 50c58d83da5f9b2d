/** Key/value buffers as line allocators (sim/cycle/buffers.ts, geometry.ts). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LineBuffer, MAX_ALLOCS } from '../sim/cycle/buffers.ts';
import { bufferLines, fuseFactor, lanes, log2c, minBufferKB } from '../sim/cycle/geometry.ts';
import { defaultHardware } from '../sim/schema.ts';

test('196 KB of 512 × 12-b lines is 256 lines (the paper\'s 2 × 1024 × 64 × 12 b); 98 KB is 128', () => {
  const hw = defaultHardware();
  assert.deepEqual(bufferLines(hw), { key: 256, value: 256, keyLineBits: 6144, valLineBits: 6144 });
  assert.equal(bufferLines({ ...hw, keySramKB: 98, pvMultipliers: 256 }).key, 128);
  assert.equal(bufferLines({ ...hw, keySramKB: 98, pvMultipliers: 256 }).value, 512);
  assert.throws(() => bufferLines({ ...hw, keySramKB: 1 }), /too small/);
});

test('minBufferKB: the smallest key/value SRAM bufferLines accepts (one line pair), to 3 significant digits', () => {
  const hw = defaultHardware();
  // 2 lines of 512 × 12 b = 1,536 B over 1,003.1 B per paper KB: 1.5313 KB, reported as 1.54
  assert.deepEqual(minBufferKB(hw), { key: 1.54, value: 1.54 });
  assert.deepEqual(minBufferKB({ ...hw, qkMultipliers: 64, pvMultipliers: 2048, wordBits: 8 }), { key: 0.128, value: 4.09 });
  for (const qk of [1, 7, 64, 333, 512, 4096, 65536]) {
    for (const wordBits of [4, 12, 13, 32]) {
      const { key } = minBufferKB({ ...hw, qkMultipliers: qk, wordBits });
      assert.equal(bufferLines({ ...hw, qkMultipliers: qk, wordBits, keySramKB: key, valueSramKB: 1e5 }).key, 2, `${qk} × ${wordBits}`);
      assert.throws(() => bufferLines({ ...hw, qkMultipliers: qk, wordBits, keySramKB: key * 0.99, valueSramKB: 1e5 }), /too small/);
    }
  }
});

test('a line buffer admits allocations while lines and the 16 allocation slots last', () => {
  const b = new LineBuffer(100);
  assert.equal(b.fits(100), true);
  assert.equal(b.fits(101), false);
  b.take(60);
  assert.equal(b.fits(40), true);
  assert.equal(b.fits(41), false);
  b.release(60);
  assert.equal(b.used, 0);
  for (let i = 0; i < MAX_ALLOCS; i++) b.take(1);
  assert.equal(b.used, 16);
  assert.equal(b.fits(1), false, 'the 17th allocation waits although 84 lines are free');
  b.release(1);
  assert.equal(b.fits(84), true);
});

test('array geometry: keys per line, cycles per line, fused pairs, ceil log2', () => {
  assert.deepEqual(lanes(512, 64), { per: 8, cpl: 1 });
  assert.deepEqual(lanes(32, 64), { per: 1, cpl: 2 });
  assert.deepEqual(lanes(100, 64), { per: 1, cpl: 1 });
  assert.equal(fuseFactor(64), 1); // 8-bit × 64
  assert.equal(fuseFactor(48), 2); // 6-bit × 64: pairs
  assert.equal(fuseFactor(40), 4);
  assert.deepEqual([1, 2, 3, 4, 5, 16, 17, 4096, 5000].map(log2c), [0, 1, 2, 2, 3, 4, 5, 12, 13]);
});
