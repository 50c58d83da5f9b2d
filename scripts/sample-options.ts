/**
 * The command line of the scripts that sample random DRAM shapes (scripts/dram-window.ts,
 * scripts/profile-regions.ts): `--count N`, `--seed X`, `--json`, `--help`, read strictly
 * (node:util parseArgs): an unknown option or a bad value is exit 2 with the usage.
 */
import { parseArgs } from 'node:util';

export function sampleOptions(usage: string, defaultCount: number): { count: number; seed: number; json: boolean } {
  try {
    const { values } = parseArgs({ options: { count: { type: 'string', default: String(defaultCount) }, seed: { type: 'string', default: '1' }, json: { type: 'boolean', default: false }, help: { type: 'boolean', default: false } }, strict: true });
    if (values.help) {
      console.log(usage);
      process.exit(0);
    }
    const count = Number(values.count);
    const seed = Number(values.seed);
    if (!Number.isInteger(count) || count < 1) throw new Error(`--count ${values.count}: expected a positive integer`);
    if (!Number.isFinite(seed)) throw new Error(`--seed ${values.seed}: expected a number`);
    return { count, seed, json: values.json };
  } catch (e) {
    console.error(`error: ${(e as Error).message}\n${usage}`);
    process.exit(2);
  }
}
