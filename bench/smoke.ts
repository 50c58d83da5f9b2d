/**
 * `BENCH_SMOKE=1 npm run bench -- NAME`: a check that a bench still runs, not a measurement. The
 * benches that support it (nn, train, cycle, analytical, startup, scale; run is short as it is)
 * repeat each measurement once or run a thousandth of their points (scale: one 10³-point run),
 * and no bench writes its README block or bench/results.json (test/bench-smoke.test.ts runs them
 * so).
 */
export const SMOKE = process.env.BENCH_SMOKE === '1';

/** `n` repetitions of a measurement, or one in smoke mode. */
export const repeats = (n: number): number => (SMOKE ? 1 : n);

/** An A B B A … alternation of two settings, or just A B in smoke mode. */
export const alternation = (pattern: boolean[]): boolean[] => (SMOKE ? [false, true] : pattern);
