/**
 * Regenerates dse/cli-surface.ts (what `--help` shows of every command, loaded without the command
 * modules) from the command modules of dse/commands/. Run after changing a command's options:
 * `npm run cli-surface`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describeCommand, realProgram, surfaceSource } from '../dse/cli-registry.ts';

const out = path.join(import.meta.dirname, '..', 'dse', 'cli-surface.ts');
const program = await realProgram();
fs.writeFileSync(out, surfaceSource(program.commands.map(describeCommand)));
process.stdout.write(`wrote ${path.relative(process.cwd(), out)} (${program.commands.length} commands)\n`);
