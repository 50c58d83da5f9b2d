/**
 * One coordinator per queue (dse/backends/queue-claim.ts): a run whose queue's alive key is still
 * refreshed by another coordinator (same run name and folder path in another container, one Redis)
 * is refused; a killed coordinator's key lapses and the new run goes on. Needs Redis
 * (SPATTEN_TEST_REDIS, default the one .ci/run starts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { checkRedis, parseRedisUrl, redisKeys } from '../dse/backends/redis.ts';
import { claimQueue, coordinatorToken, queueNameFor, refreshClaim, releaseClaim } from '../dse/backends/queue-claim.ts';
import { QueueBackend } from '../dse/backends/queue.ts';
import { InputError } from '../dse/errors.ts';
import { waitFor } from './wait.ts';

const REDIS = process.env.SPATTEN_TEST_REDIS ?? 'redis://127.0.0.1:6390';
const KEY = `queue-claim-test:${process.pid}:${Date.now().toString(36)}`;

let skip: string | false = false;
try {
  await checkRedis(parseRedisUrl(REDIS), 'SPATTEN_TEST_REDIS', 2000);
} catch (e) {
  if (process.env.CI === 'true') test('a Redis for the queue-claim tests (CI=true: required)', () => assert.fail(`${(e as Error).message}`));
  skip = `no Redis at ${REDIS} (set SPATTEN_TEST_REDIS)`;
}

/**
 * Another coordinator of a folder's queue, alive for this test: a live process (the test's
 * parent) refreshing the queue's alive key with value `${host}:${holder} ${tag8}` every 500 ms, in
 * a namespace and temporary folder of the test's own (`prefix` names both). `end` stops the
 * heartbeat and removes the namespace's keys (a failing test's run registers a queue) and the folder.
 */
async function liveHolder(prefix: string, tag8: string) {
  const ns = `${prefix}-${process.pid}-${Date.now().toString(36)}`;
  const keys = redisKeys(ns);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `${prefix}-`));
  const name = `${prefix}-${process.pid}`;
  const client = new Redis(parseRedisUrl(REDIS).options);
  const holder = process.ppid;
  const alive = keys.alive(queueNameFor(name, dir));
  const value = `${os.hostname()}:${holder} ${tag8}`;
  const beat = setInterval(() => void client.set(alive, value, 'PX', 10_000), 500);
  await client.set(alive, value, 'PX', 10_000);
  return {
    ns, keys, dir, name, client, holder, alive, value,
    /** Writes the folder's lock as the holder's (`startedAt` is the time, as the lock records it). */
    lock: (startedAt: string) => fs.writeFileSync(path.join(dir, '.lock'), JSON.stringify({ pid: holder, host: os.hostname(), startedAt })),
    end: async () => {
      clearInterval(beat);
      const left = await client.keys(`${keys.prefix}:*`);
      if (left.length > 0) await client.del(...left);
      client.disconnect();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The refusal of a folder whose lock `holder` took at `started`: the lock's own words, exit 2. */
function lockRefusal(dir: string, holder: number, started: () => string) {
  return (e: unknown) => {
    assert.equal((e as { exitCode?: number }).exitCode, 2, 'an input error: exit 2');
    assert.equal((e as Error).message, `results folder ${dir} is in use by another run (pid ${holder} on ${os.hostname()}, since ${started()}).\nWait for it to finish, use another --out folder, or delete ${path.join(dir, '.lock')} if that process is gone.`);
    return true;
  };
}

test('two coordinators with the same host name and pid write different alive values; one folder path gives one queue name', () => {
  assert.notEqual(coordinatorToken('box', 1), coordinatorToken('box', 1), 'random token');
  assert.match(coordinatorToken('box', 1), /^box:1 [0-9a-f]{8}$/);
  assert.equal(queueNameFor('default', '/work/p/results/default'), queueNameFor('default', '/work/p/results/default'), 'same path, same queue');
  assert.notEqual(queueNameFor('default', '/work/p/results/default'), queueNameFor('default', '/work/q/results/default'), 'other path, other queue');
});

test('a queue whose coordinator is alive is refused; a killed one\'s lapses and the run goes on', { skip }, async () => {
  const client = new Redis(parseRedisUrl(REDIS).options);
  const logs: string[] = [];
  const log = (s: string) => void logs.push(s);
  try {
    // nobody, or this coordinator itself: at once, nothing said, and the key is now ours
    await claimQueue(client, KEY, 'me:1 00000000', 'q', log, 400, 50);
    assert.equal(await client.get(KEY), 'me:1 00000000', 'claimed');
    await client.set(KEY, 'me:1 00000000', 'PX', 5000);
    await claimQueue(client, KEY, 'me:1 00000000', 'q', log, 400, 50);
    assert.deepEqual(logs, [], 'no wait');
    await client.del(KEY);
    // two coordinators starting together: exactly one claims the queue; the other waits for its key
    const done: string[] = [];
    const claims = ['a:1 11111111', 'b:1 22222222'].map((me) => claimQueue(client, KEY, me, 'q', log, 1000, 50).then(() => void done.push(me)));
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(done.length, 1, `one of two simultaneous claims goes on at once (${done.join(', ')})`);
    assert.equal(await client.get(KEY), done[0], 'the key is the winner\'s');
    await Promise.all(claims); // the winner never beats here, so its key lapses and the other goes on
    assert.equal(done.length, 2, 'the second after the lapse');
    await client.del(KEY);
    logs.length = 0;
    // a killed coordinator: its key is no longer refreshed and lapses (here after 300 ms)
    await client.set(KEY, 'box:1 aaaaaaaa', 'PX', 300);
    const t0 = Date.now();
    await claimQueue(client, KEY, 'box:1 bbbbbbbb', 'q', log, 400, 50);
    const waited = Date.now() - t0;
    assert.ok(waited >= 200 && waited < 1400, `waited ${waited} ms for the lapse`);
    assert.match(logs[0], /^queue "q": coordinator box:1 registered it and its heartbeat has not lapsed; waiting up to 1 s/);
    // a live coordinator with the same host name and pid: it keeps refreshing its key
    const beat = setInterval(() => void client.set(KEY, 'box:1 aaaaaaaa', 'PX', 200), 50);
    await client.set(KEY, 'box:1 aaaaaaaa', 'PX', 200);
    try {
      await assert.rejects(claimQueue(client, KEY, 'box:1 bbbbbbbb', 'q', log, 400, 50), (e: unknown) => {
        assert.ok(e instanceof InputError, 'an input error: exit 2');
        assert.match((e as Error).message, /^queue "q" is in use by a live coordinator \(box:1\): .*own --namespace/);
        return true;
      });
    } finally {
      clearInterval(beat);
    }
  } finally {
    await client.del(KEY);
    client.disconnect();
  }
});

test('refreshClaim and releaseClaim act on this coordinator\'s key only', { skip }, async () => {
  const client = new Redis(parseRedisUrl(REDIS).options);
  const key = `${KEY}:r`;
  try {
    assert.equal(await refreshClaim(client, key, 'a:1 11111111', 5000), null, 'nobody holds it: taken');
    assert.equal(await client.get(key), 'a:1 11111111');
    await client.set(key, 'b:2 22222222', 'PX', 5000); // another coordinator claimed it after a lapse
    assert.equal(await refreshClaim(client, key, 'a:1 11111111', 5000), 'b:2 22222222', 'the other holder is returned');
    assert.equal(await client.get(key), 'b:2 22222222', 'and its key is not overwritten');
    assert.equal(await releaseClaim(client, key, 'a:1 11111111'), false);
    assert.equal(await client.get(key), 'b:2 22222222', 'nor deleted');
    assert.equal(await releaseClaim(client, key, 'b:2 22222222'), true);
    assert.equal(await client.get(key), null, 'its holder deletes it');
    assert.equal(await releaseClaim(client, key, 'a:1 11111111'), true, 'a lapsed key: the queue is this run\'s to remove');
  } finally {
    await client.del(key);
    client.disconnect();
  }
});

test('a coordinator whose queue another claimed while it was cut off leaves that run\'s key and jobs alone', { skip }, async () => {
  const ns = `claim-${process.pid}-${Date.now().toString(36)}`;
  const keys = redisKeys(ns);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'claim-'));
  const name = `claim-${process.pid}`;
  const client = new Redis(parseRedisUrl(REDIS).options);
  const linesA: string[] = [];
  // a model version no worker has: the job stays waiting
  const open = (log: (l: string) => void) => QueueBackend.open({ url: REDIS, name, dir, modelVersion: 'test-no-such-version', namespace: ns, log });
  const a = await open((l) => linesA.push(l));
  let b: QueueBackend | undefined;
  try {
    // A's key lapses (its heartbeat cut off) and B, the same run name and path elsewhere, claims the queue
    await client.del(keys.alive(a.queueName));
    b = await open(() => {});
    const bKey = await client.get(keys.alive(b.queueName));
    assert.ok(bKey !== null, 'B holds the alive key');
    const job = b.run({ task: 'noop', args: [1] });
    await waitFor(() => linesA.some((l) => /claimed it while this run was cut off/.test(l)), 10_000, 100);
    assert.match(linesA.find((l) => /claimed it/.test(l)) ?? linesA.join(' | '), /^queue "claim-\d+\.[0-9a-f]{8}": coordinator [^ ]+ claimed it while this run was cut off from Redis for more than 10 s .*own --namespace$/);
    assert.equal(await client.get(keys.alive(b.queueName)), bKey, 'A\'s heartbeat left B\'s key');
    await a.close();
    assert.equal(await client.get(keys.alive(b.queueName)), bKey, 'A\'s end left B\'s key');
    const counts = await client.hexists(keys.runs, b.queueName);
    assert.equal(counts, 1, 'B\'s registry entry is kept');
    assert.equal(await client.llen(`${keys.prefix}:${b.queueName}:wait`), 1, 'B\'s waiting job is kept');
    await b.abort();
    await job;
  } finally {
    await b?.close();
    await a.close();
    client.disconnect();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a second --queue run of a folder whose run is live on this machine is refused at once with the folder lock\'s words, not after the claim\'s wait with the other-container hint', { skip }, async () => {
  // the first run: a live process holds the folder's lock and refreshes the queue's alive key
  const h = await liveHolder('claim-lock', 'cccccccc');
  const started = new Date().toISOString();
  h.lock(started);
  const lines: string[] = [];
  const t0 = Date.now();
  try {
    await assert.rejects(QueueBackend.open({ url: REDIS, name: h.name, dir: h.dir, modelVersion: 'test-no-such-version', namespace: h.ns, log: (l) => void lines.push(l) }), lockRefusal(h.dir, h.holder, () => started));
    // the claim's wait is ALIVE_TTL_MS + 1 s (11 s); the lock is read in microseconds
    assert.ok(Date.now() - t0 < 3000, `refused after ${Date.now() - t0} ms`);
    assert.deepEqual(lines, [], 'no "waiting up to 10 s" for a coordinator that is alive');
    assert.equal(await h.client.hexists(h.keys.runs, queueNameFor(h.name, h.dir)), 0, 'nothing registered');
  } finally {
    await h.end();
  }
});

test('two coordinators of one folder started at once: the one waiting for the queue\'s claim is refused with the folder lock\'s words as soon as the other takes the lock, not after the 11 s wait; the folder is left as it was', { skip }, async () => {
  // the other coordinator: it won the claim and keeps its heartbeat…
  const h = await liveHolder('claim-race', 'dddddddd');
  fs.writeFileSync(path.join(h.dir, 'journal.jsonl'), '');
  const lines: string[] = [];
  let started = '';
  try {
    // …and had not taken the folder lock yet when this one read it: this one waits for the claim
    const opening = QueueBackend.open({ url: REDIS, name: h.name, dir: h.dir, modelVersion: 'test-no-such-version', namespace: h.ns, log: (l) => void lines.push(l) });
    const refused = assert.rejects(opening, lockRefusal(h.dir, h.holder, () => started));
    assert.ok(await waitFor(() => lines.some((l) => /waiting up to 10 s/.test(l)), 10_000), `not waiting for the claim: ${lines.join(' | ')}`);
    // the other coordinator takes the folder lock now
    started = new Date().toISOString();
    h.lock(started);
    const t0 = Date.now();
    await refused;
    // one poll of the claim (250 ms), against the claim's ALIVE_TTL_MS + 1 s (11 s)
    assert.ok(Date.now() - t0 < 2000, `refused ${Date.now() - t0} ms after the lock was taken`);
    assert.deepEqual(fs.readdirSync(h.dir).sort(), ['.lock', 'journal.jsonl'], 'nothing written in the folder');
    assert.equal(fs.readFileSync(path.join(h.dir, 'journal.jsonl'), 'utf8'), '');
    assert.equal(await h.client.hexists(h.keys.runs, queueNameFor(h.name, h.dir)), 0, 'nothing registered');
    assert.equal(await h.client.get(h.alive), h.value, 'the other coordinator\'s claim is left');
  } finally {
    await h.end();
  }
});
