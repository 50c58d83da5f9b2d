/** DRAM front end (sim/cycle/fetcher.ts): key/value sides sharing the channels, refresh, port limit. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hbmTiming } from '../sim/cycle/hbm-timing.ts';
import { DramFrontEnd } from '../sim/cycle/fetcher.ts';
import { occTotals, type Stream } from '../sim/cycle/requests.ts';

const noRefresh = hbmTiming({ clockGHz: 1, dramChannelGBps: 32 }, { refresh: false });
const stream = (kind: 0 | 1 | 2, occ: number[], bursts = 64, firstLat = 10): Stream => ({ kind, occ: Float64Array.from(occ), bursts, firstLat, ...occTotals(Float64Array.from(occ)) });

test('one channel = two pseudo-channel lanes (PC-interleaved mapping); the official mapping keeps one', () => {
  assert.equal(new DramFrontEnd(noRefresh, 1, 32).channels, 2);
  assert.equal(new DramFrontEnd(noRefresh, 16, 32).channels, 32);
  assert.equal(new DramFrontEnd(hbmTiming({ clockGHz: 1, dramChannelGBps: 32 }, { mapping: 'RoBaRaCoCh' }), 16, 32).channels, 16);
});

// the data of a stream's last burst arrive one access latency after its channel time, like the
// first burst's: firstLat (10 here) less the burst itself (2 cycles at 32 GB/s per channel, 1 GHz)
const LAT = 10 - noRefresh.tBurst;

test('key and value sides share a channel at half rate; a side queues behind its own earlier streams', () => {
  assert.equal(noRefresh.tBurst, 2);
  const f = new DramFrontEnd(noRefresh, 1, 32);
  f.issue(0, stream(0, [100, 100]));
  assert.equal(f.first, 10);
  assert.equal(f.end, 100 + LAT);
  // value stream of 50 per channel while the key side still has 100 queued: both progress at half
  // rate, so it ends at 100 and pushes the key side's backlog to 150
  f.issue(0, stream(2, [50, 50]));
  assert.equal(f.end, 100 + LAT);
  // the next key stream starts after the key side's backlog (150), alone on the channel
  f.issue(0, stream(0, [100, 100]));
  assert.equal(f.first, 160);
  assert.equal(f.end, 250 + LAT);
  assert.equal(f.work, 500);
  // the slowest channel decides; a channel without data is not used
  f.issue(300, stream(1, [0, 40]));
  assert.equal(f.first, 310);
  assert.equal(f.end, 340 + LAT);
});

test('a stream already on the channels is slowed by the other side\'s stream too (round-robin per fragment, RTL stage 5): its end moves later', () => {
  const f = new DramFrontEnd(noRefresh, 1, 32);
  f.issue(0, stream(0, [100, 100]), 0);
  assert.equal(f.endOf(0), 100 + LAT);
  // V of 50 per channel from 0 while the key stream has 100 left: both at half rate, so the value
  // stream ends at 100 and the key stream at 150 (processor sharing: 50 of each by 100, the key
  // stream's last 50 alone)
  f.issue(0, stream(2, [50, 50]), 1);
  assert.equal(f.endOf(1), 100 + LAT);
  assert.equal(f.endOf(0), 150 + LAT);
  // a key stream of 100 issued at 80 has 20 left when a value stream of 30 arrives at 80: the key
  // stream ends at 80 + 2·20 = 120, the value stream at 120 + 10 = 130
  const g = new DramFrontEnd(noRefresh, 1, 32);
  g.issue(0, stream(0, [100, 100]), 0);
  g.issue(80, stream(2, [30, 30]), 1);
  assert.equal(g.endOf(0), 120 + LAT);
  assert.equal(g.endOf(1), 130 + LAT);
  // the same the other way round: a value stream on the channels is slowed by a key stream
  const h = new DramFrontEnd(noRefresh, 1, 32);
  h.issue(0, stream(2, [100, 100]), 5);
  h.issue(80, stream(0, [30, 30]), 6);
  assert.equal(h.endOf(5), 120 + LAT);
  assert.equal(h.endOf(6), 130 + LAT);
  // a stream that has left the channels before the other side's arrives keeps its end
  h.issue(500, stream(0, [10, 10]), 7);
  assert.equal(h.endOf(5), 120 + LAT);
});

test('the ports are shared the same way: a port-bound stream issued first ends later when the other side\'s bursts join it', () => {
  // 4 ports (128 B a cycle) on 16 channels: 6,400 bursts take 1,600 cycles at the ports alone; a
  // value stream of 3,200 bursts issued at 0 shares them, so both go at half rate for 1,600 cycles
  // (the value stream done), then the key stream's last 800 alone: 2,400
  const f = new DramFrontEnd(noRefresh, 16, 4);
  f.issue(0, stream(0, Array(16).fill(100), 6400), 0);
  assert.equal(f.endOf(0), 1600 + LAT);
  f.issue(0, stream(2, Array(16).fill(50), 3200), 1);
  assert.equal(f.endOf(1), 1600 + LAT);
  assert.equal(f.endOf(0), 2400 + LAT);
});

test('refresh: an all-bank refresh (nRFC 350 every nREFI 3900) stretches a stream that crosses it', () => {
  const f = new DramFrontEnd(hbmTiming({ clockGHz: 1, dramChannelGBps: 32 }), 1, 32);
  f.issue(3800, stream(0, [200, 200]));
  assert.equal(f.first, 3810);
  assert.equal(f.end, 3900 + 350 + 100 + LAT); // 100 cycles before the refresh, 100 after it
});

test('the fetcher issues at most ports × 32 B per cycle', () => {
  const f = new DramFrontEnd(noRefresh, 1, 4);
  f.issue(0, stream(0, [100, 100], 6400));
  assert.equal(f.end, 1600 + LAT);
});

test('the fetcher ports are one resource: streams issued together share ports × 32 B per cycle', () => {
  // 16 channels of 100 cycles each could deliver both streams by 100, but 4 ports issue 4 bursts
  // per cycle: 6,400 + 6,400 bursts take 3,200 cycles, whichever side they belong to
  const f = new DramFrontEnd(noRefresh, 16, 4);
  f.issue(0, stream(0, Array(16).fill(100), 6400));
  assert.equal(f.end, 1600 + LAT);
  f.issue(0, stream(2, Array(16).fill(100), 6400));
  assert.equal(f.end, 3200 + LAT);
});

test('the ports alternate between the key and value sides (RTL stage 5 round-robin), not first come first served', () => {
  // three key streams of 6,400 bursts queue 4,800 port cycles on 4 ports; a value stream of 1,600
  // bursts (400 port cycles) issued at 0 shares the ports at half rate — done at 800, not after
  // the key backlog (5,200) — and pushes the key side's backlog by its 400 cycles
  const f = new DramFrontEnd(noRefresh, 16, 4);
  for (let i = 0; i < 3; i++) f.issue(0, stream(0, Array(16).fill(10), 6400));
  assert.equal(f.end, 4800 + LAT);
  f.issue(0, stream(2, Array(16).fill(10), 1600));
  assert.equal(f.end, 800 + LAT);
  f.issue(0, stream(1, Array(16).fill(10), 400));
  assert.equal(f.end, 5200 + 100 + LAT);
  // a side alone on the ports goes at the full rate: the value side's next stream, issued after
  // the key backlog, takes 1,600 / 4 cycles
  f.issue(6000, stream(2, Array(16).fill(10), 1600));
  assert.equal(f.end, 6400 + LAT);
});

test('the idle-channel shortcuts give exactly the per-channel and per-port processor-sharing result (random streams vs a reference)', async () => {
  const { availableBefore, timeForAvailable } = await import('../sim/cycle/hbm-timing.ts');
  const { mulberry32 } = await import('../sim/workload/trace.ts');
  const tim = hbmTiming({ clockGHz: 1, dramChannelGBps: 32 });
  const f = new DramFrontEnd(tim, 4, 8);
  const ch = f.channels;
  const freeK = new Float64Array(ch);
  const freeV = new Float64Array(ch);
  let work = 0;
  let portK = 0;
  let portV = 0;
  const rng = mulberry32(5);
  let now = 0;
  for (let k = 0; k < 3000; k++) {
    now += Math.floor(rng() * (rng() < 0.3 ? 400 : 20));
    const kind = rng() < 0.5 ? 2 : rng() < 0.8 ? 0 : 1;
    const occ = Array.from({ length: ch }, () => (rng() < 0.15 ? 0 : rng() * 150));
    const s = stream(kind as 0 | 1 | 2, occ, Math.floor(rng() * 2000), 13);
    f.issue(now, s);
    // reference: the plain per-channel loop
    const aA = availableBefore(now, tim);
    const own = kind === 2 ? freeV : freeK;
    const other = kind === 2 ? freeK : freeV;
    let sMin = Infinity;
    let eMax = aA;
    for (let c = 0; c < ch; c++) {
      const o = s.occ[c];
      if (o <= 0) continue;
      const st = Math.max(own[c], aA);
      const ov = Math.min(Math.max(other[c] - st, 0), o);
      own[c] = st + o + ov;
      other[c] += ov;
      work += o;
      sMin = Math.min(sMin, st);
      eMax = Math.max(eMax, own[c]);
    }
    // the ports: each side after its own earlier bursts, half rate while the other side has bursts queued
    const pw = s.bursts / 8;
    const pst = Math.max(kind === 2 ? portV : portK, aA);
    const pov = Math.min(Math.max((kind === 2 ? portK : portV) - pst, 0), pw);
    if (kind === 2) {
      portV = pst + pw + pov;
      portK += pov;
    } else {
      portK = pst + pw + pov;
      portV += pov;
    }
    eMax = Math.max(eMax, pst + pw + pov);
    const first = (sMin === Infinity ? now : timeForAvailable(sMin, tim)) + 13;
    assert.equal(f.first, first, `stream ${k} first`);
    assert.equal(f.end, Math.max(timeForAvailable(eMax, tim) + 13 - tim.tBurst, first), `stream ${k} end`);
  }
  assert.ok(Math.abs(f.work - work) <= 1e-9 * work, 'Math.abs(f.work - work) <= 1e-9 * work');
});
