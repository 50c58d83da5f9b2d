/**
 * `npm run bench -- distributed`: sweeps over `spatten-dse worker` processes through the BullMQ
 * queue (run --queue), on a redis-server this bench starts on a free loopback port (or
 * SPATTEN_BENCH_REDIS).
 *
 * 1. The 1,728-point cycle-model sweep of bench/search.bench.ts over 1 worker process vs 2
 *    (`--concurrency 1` each), runs in the order 1, 2, 2, 1 (BENCH_DIST_ROUNDS times): wall time of
 *    the coordinator (`run --queue`, a fresh process, start-up included; the workers are started
 *    before and stay up, as they would on a cluster). Target: ≥ 1.7×. The host's own parallel
 *    capacity on this workload (the cycle model on 144 of the points in two processes at once vs
 *    one alone) is measured before and after, since the machine is shared.
 * 2. Queue overhead per job: analytical evaluations (about 10 µs of work each) submitted through
 *    the queue backend to one worker process, end to end (enqueue → result back) per job, next to
 *    the same tasks on the local pool. Target ≤ 2 ms per job.
 *
 * Smoke mode (bench/smoke.ts): the 8-point sweep, runs in the order 1, 2; 50 queue jobs.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CYCLE_SWEEP_POINTS, cycleSweepSpace, hostCapacityProbe } from './host.ts';
import { SMOKE, alternation } from './smoke.ts';
import { freePort } from '../test/own-redis.ts';

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const CLI = path.join(ROOT, 'dse', 'cli.ts');

const SPACE = cycleSweepSpace('bench-dist');

function cliProc(args: string[]): { child: ChildProcess; done: Promise<number | null>; err: () => string } {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (d) => (err += d));
  return { child, err: () => err, done: new Promise((r) => child.once('exit', (c) => r(c))) };
}

/** This bench's namespace: on a shared SPATTEN_BENCH_REDIS, other users' workers take none of its jobs, nor its workers theirs. */
const NS = `bench-${process.pid}`;

/** Starts `n` workers and resolves once each is waiting for runs. */
async function startWorkers(url: string, n: number) {
  const ws = Array.from({ length: n }, () => cliProc(['worker', '--queue', url, '--namespace', NS, '--concurrency', '1', '--progress-every', '0']));
  const t0 = Date.now();
  while (!ws.every((w) => /waiting for runs/.test(w.err()))) {
    if (Date.now() - t0 > 120_000) throw new Error(`workers did not start: ${ws.map((w) => w.err()).join('\n')}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    pids: ws.map((w) => w.child.pid!),
    stop: async () => {
      for (const w of ws) w.child.kill('SIGTERM');
      await Promise.all(ws.map((w) => w.done));
    },
  };
}

async function sweep(url: string, tmp: string, spaceFile: string): Promise<object> {
  const hostCapacity = await hostCapacityProbe(tmp, spaceFile);
  const before = await hostCapacity();
  const rounds = Math.max(1, Number(process.env.BENCH_DIST_ROUNDS ?? 1));
  const samples: { workers: number; s: number; csv: string }[] = [];
  let k = 0;
  for (let r = 0; r < rounds; r++) {
    for (const n of alternation([1, 2, 2, 1])) {
      const ws = await startWorkers(url, n);
      const out = path.join(tmp, `r${k++}`);
      const t = performance.now();
      const run = cliProc(['run', spaceFile, '--out', out, '--queue', url, '--namespace', NS, '--progress', 'none', '--no-report']);
      const code = await run.done;
      const s = (performance.now() - t) / 1000;
      await ws.stop();
      if (code !== 0) throw new Error(`run --queue with ${n} workers failed: ${run.err()}`);
      samples.push({ workers: n, s, csv: fs.readFileSync(path.join(out, 'points.csv'), 'utf8') });
      process.stderr.write(`  ${n} worker${n > 1 ? 's' : ''}: ${s.toFixed(1)} s\n`);
    }
  }
  const after = await hostCapacity();
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  const t1 = samples.filter((x) => x.workers === 1).map((x) => x.s);
  const t2 = samples.filter((x) => x.workers === 2).map((x) => x.s);
  const speedup = sum(t1) / sum(t2);
  return {
    points: CYCLE_SWEEP_POINTS,
    note: 'wall time of `run --queue` (fresh coordinator process, start-up included) with 1 or 2 `worker --concurrency 1` processes already waiting; order 1, 2, 2, 1',
    worker1Seconds: t1.map((x) => +x.toFixed(2)),
    worker2Seconds: t2.map((x) => +x.toFixed(2)),
    speedup: +speedup.toFixed(2),
    target: 1.7,
    hostParallelCapacity: { before, after },
    efficiencyVsHost: +(speedup / ((before.capacity + after.capacity) / 2)).toFixed(2),
    identicalPointsCsv: samples.every((x) => x.csv === samples[0].csv),
    loadAverage1m: +os.loadavg()[0].toFixed(2),
  };
}

/** CPU seconds (user + system) a process has used so far, from /proc (NaN where there is none). */
function cpuSeconds(pid: number): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
  } catch {
    return Number.NaN;
  }
}

async function overhead(url: string, tmp: string, redisPid?: number): Promise<object> {
  const { QueueBackend } = await import('../dse/backends/queue.ts');
  const { LocalBackend } = await import('../dse/backends/local.ts');
  const { modelVersion } = await import('../dse/model-version.ts');
  const { prepareRun } = await import('../dse/run.ts');
  const spaceFile = path.join(tmp, 'analytical.yaml');
  fs.writeFileSync(spaceFile, SPACE.replace('fidelity: cycle', 'fidelity: analytical').replace('name: bench-dist', 'name: bench-overhead'));
  const { ctx } = prepareRun({ spaceFile });
  const N = Number(process.env.BENCH_DIST_JOBS ?? (SMOKE ? 50 : 2000));
  const task = (i: number) => ({ task: 'evaluate', args: [ctx, i, { 'hw.dramChannels': 4 + (i % 29), 'algo.tokenKeep': 0.25 + (i % 4) * 0.25 }] });
  const cpu: Record<string, number> = {};
  const time = async (b: { run(t: ReturnType<typeof task>, m?: { key: string; id: number }): Promise<{ status: string }> }, tag: string, pids: Record<string, number> = {}) => {
    // warm-up: workers started, models loaded, run joined
    let res = await Promise.all(Array.from({ length: 50 }, (_, i) => b.run(task(i), { key: `${tag}-warm-${i}`, id: i })));
    const c0 = Object.fromEntries(Object.entries(pids).map(([k, p]) => [k, cpuSeconds(p)]));
    const t = performance.now();
    res = await Promise.all(Array.from({ length: N }, (_, i) => b.run(task(i), { key: `${tag}-${i}`, id: i })));
    const ms = performance.now() - t;
    for (const [k, p] of Object.entries(pids)) cpu[k] = +(((cpuSeconds(p) - c0[k]) * 1000) / N).toFixed(3);
    if (res.some((r) => r.status !== 'ok')) throw new Error(`${tag}: ${res.filter((r) => r.status !== 'ok').length} tasks not ok`);
    return ms;
  };
  const local = await LocalBackend.open(1);
  const localMs = await time(local, 'local');
  await local.close();
  const ws = await startWorkers(url, 1);
  const q = await QueueBackend.open({ url, name: 'bench-overhead', dir: path.join(tmp, 'overhead'), modelVersion: modelVersion(), namespace: NS, log: () => {} });
  const queueMs = await time(q, 'queue', { coordinator: process.pid, worker: ws.pids[0], ...(redisPid ? { redis: redisPid } : {}) });
  await q.close();
  await ws.stop();
  return {
    jobs: N,
    task: 'analytical evaluatePoint (about 10 µs of work), one worker process with one evaluation thread; all jobs submitted at once',
    queueMsPerJob: +(queueMs / N).toFixed(3),
    localPoolMsPerJob: +(localMs / N).toFixed(3),
    /** CPU ms per job of each process of the queue path (this bench's process is the coordinator). */
    queueCpuMsPerJob: cpu,
    loadAverage1m: +os.loadavg()[0].toFixed(2),
    target: 2,
  };
}

export async function run(): Promise<object> {
  if (spawnSync('redis-server', ['--version']).status !== 0 && !process.env.SPATTEN_BENCH_REDIS) return { skipped: 'redis-server not installed and SPATTEN_BENCH_REDIS not set' };
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-dist-'));
  let server: ChildProcess | undefined;
  let url = process.env.SPATTEN_BENCH_REDIS;
  if (!url) {
    const port = await freePort();
    server = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    url = `redis://127.0.0.1:${port}`;
    const { checkRedis, parseRedisUrl } = await import('../dse/backends/redis.ts');
    const t0 = Date.now();
    while (!(await checkRedis(parseRedisUrl(url), 'bench', 500).then(() => true, () => false))) {
      if (Date.now() - t0 > 10_000) throw new Error('redis-server did not start');
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  try {
    const spaceFile = path.join(tmp, 'cycle.yaml');
    fs.writeFileSync(spaceFile, SPACE);
    const only = process.env.BENCH_DIST_ONLY;
    return {
      redis: url,
      ...(only !== 'sweep' ? { overhead: await overhead(url, tmp, server?.pid) } : {}),
      ...(only !== 'overhead' ? { sweep: await sweep(url, tmp, spaceFile) } : {}),
    };
  } finally {
    server?.kill('SIGTERM');
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}
