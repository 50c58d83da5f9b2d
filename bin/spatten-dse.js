#!/usr/bin/env node
// Launcher: runs the TypeScript CLI with tsx's loader (`node --import tsx dse/cli.ts …`), so
// `npx spatten-dse` works right after `npm install`, from any directory.
//
// Signals: Ctrl-C reaches the CLI directly (same process group); the launcher ignores SIGINT so
// that the CLI can finish, write its outputs and exit 130 itself. SIGTERM/SIGHUP sent to the
// launcher alone are forwarded. The launcher exits with the CLI's code (or re-raises its signal).
import { spawn } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import path from 'node:path';
import { createRequire } from 'node:module';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const loader = pathToFileURL(require.resolve('tsx')).href;
const entry = path.join(here, '..', 'dse', 'cli.ts');
const child = spawn(process.execPath, ['--import', loader, entry, ...process.argv.slice(2)], { stdio: 'inherit' });
process.on('SIGINT', () => {});
for (const sig of ['SIGTERM', 'SIGHUP']) process.on(sig, () => child.kill(sig));
child.on('exit', (code, signal) => {
  if (signal) {
    process.removeAllListeners(signal);
    process.kill(process.pid, signal);
  } else process.exit(code ?? 1);
});
