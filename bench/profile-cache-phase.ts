/**
 * One fresh process of bench/profile-cache.bench.ts (bundled as the CLI is): loads the DRAM stream
 * profile cache of folder argv[2] as `simulate` does (dse/profile-cache.ts), then makes the memo
 * table of the per8 design point, which reads its profiles from the file, checks their CRC-32 and
 * decodes them. Prints {load, table: wall ms; seeded: the profiles the table took}. Run by
 * bench/run-bundle.mjs.
 */
export async function main(argv: string[]): Promise<number> {
  const { loadProfileCache } = await import('../dse/profile-cache.ts');
  const { profileTable } = await import('../sim/cycle/profiles.ts');
  const { dramTimingOf } = await import('../sim/hw/dram-cost.ts');
  const { HARDWARE_PRESETS, HardwareSchema } = await import('../sim/schema.ts');
  const hw = HardwareSchema.parse(HARDWARE_PRESETS.spatten);
  const tim = dramTimingOf(hw);
  const t0 = performance.now();
  loadProfileCache(argv[0]);
  const t1 = performance.now();
  const table = profileTable(hw.dramChannels, tim);
  const t2 = performance.now();
  process.stdout.write(`${JSON.stringify({ load: t1 - t0, table: t2 - t1, seeded: table.size })}\n`);
  return 0;
}
