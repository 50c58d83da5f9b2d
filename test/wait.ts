/**
 * Polling for tests that watch a process or a file: `waitFor(cond, ms)` checks `cond` every
 * `every` ms until it holds or `ms` have passed, and returns whether it holds (checked once more
 * at the deadline). The callers assert on the result, with what they waited for in the message.
 */
export async function waitFor(cond: () => boolean | Promise<boolean>, ms: number, every = 50): Promise<boolean> {
  const t0 = Date.now();
  while (Date.now() - t0 < ms) {
    if (await cond()) return true;
    await new Promise((r) => setTimeout(r, every));
  }
  return await cond();
}
