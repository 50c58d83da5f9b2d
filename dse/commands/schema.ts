/** `spatten-dse schema`: the JSON Schema of space files (for editor completion and validation). */
import type { Command } from 'commander';
import { spaceJsonSchema } from '../space.ts';

export function register(program: Command): void {
  program
    .command('schema')
    .description('print the JSON Schema of space files (for editor completion and validation)')
    .option('--out <file>', 'write it to a file (e.g. space.schema.json) instead of stdout')
    .action(async (o: { out?: string }) => {
      const text = JSON.stringify(spaceJsonSchema(), null, 2) + '\n';
      if (!o.out) return void process.stdout.write(text);
      const { writeFileSync } = await import('node:fs');
      writeFileSync(o.out, text);
      process.stdout.write(`wrote ${o.out}\n`);
    });
}
