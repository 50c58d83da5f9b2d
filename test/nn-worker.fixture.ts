// worker_thread entry used by test/nn-checkpoint.test.ts: evaluates in its own isolate/backend.
import { parentPort, workerData } from 'node:worker_threads';
import { AlgoSchema } from '../sim/schema.ts';
import { evaluateAccuracy } from '../sim/nn/api.ts';

try {
  const r = await evaluateAccuracy(workerData.spec, AlgoSchema.parse(workerData.algo));
  parentPort!.postMessage({ value: r.value, key: r.cacheKey, rows: r.trace.requests.length });
} catch (e) {
  parentPort!.postMessage({ error: String((e as Error)?.stack ?? e).slice(0, 500) });
}
