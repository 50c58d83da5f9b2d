/**
 * `BENCH_SMOKE=1 npm run bench -- NAME`: a check that a bench still runs, not a measurement. Every
 * bench supports it (run is short as it is): nn, train, cycle, analytical, startup and scale repeat
 * each measurement once or run a thousandth of their points (scale: one 10³-point run); search and
 * distributed run one seed, an 8-point cycle sweep (bench/host.ts) and a 2-point accuracy sweep
 * once per setting, 50 queue jobs; quickstart one round of `npm start --max-evals 200`. No bench
 * writes its README block or bench/results.json (test/bench-smoke.test.ts runs them so).
 */
export const SMOKE = process.env.BENCH_SMOKE === '1';

/** `n` repetitions of a measurement, or one in smoke mode. */
export const repeats = (n: number): number => (SMOKE ? 1 : n);

/** An A B B A … alternation of two settings, or just its first two (A B) in smoke mode. */
export const alternation = <T>(pattern: T[]): T[] => (SMOKE ? pattern.slice(0, 2) : pattern);
