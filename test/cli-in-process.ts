// The CLI run in this process (dse/cli.ts main): its exit code and what it wrote on stderr.
import { main } from '../dse/cli.ts';

export async function cli(argv: string[]): Promise<{ code: number; err: string }> {
  let err = '';
  const we = process.stderr.write.bind(process.stderr);
  process.stderr.write = ((s: string | Uint8Array) => ((err += String(s)), true)) as typeof process.stderr.write;
  try {
    return { code: await main(argv), err };
  } finally {
    process.stderr.write = we;
  }
}
