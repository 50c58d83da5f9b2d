/**
 * `spatten-dse serve --space SPACE.yaml [--stdio | --port N] [--host H] [--out DIR]`: the ask/tell
 * service of dse/serve.ts over JSON lines, on stdin/stdout (one client, e.g. a Python script that
 * starts it) or on a TCP port (any number of clients, served one request at a time). Logs go to
 * stderr. Bad input (space file, options) exits 2 before anything is written; end of stdin or
 * SIGINT/SIGTERM waits for the request in progress, closes the journal, releases the folder's lock
 * and exits 0; SIGHUP (the terminal closed: a dropped SSH session) does the same and exits 143
 * (dse/stop.ts; its default action killed the process, the lock left behind); so does the end of
 * stdin when it is a terminal that hung up (its input can end before SIGHUP's handler runs).
 * The signals are handled from the start, before the service opens its folder: during the start-up,
 * the dense model's run for constraints relative to it (dse/serve.ts `stopStarting`), the first one
 * abandons that run, or is seen when it ends where it holds serve's own thread (the forward pass;
 * its outcome is then journaled); serve closes the journal, releases the lock, removes a journal
 * and folder it created that hold nothing, and exits with the same codes. (They were installed
 * once it listened: a signal during the start-up killed it by the default action, the lock left behind.)
 */
import net from 'node:net';
import readline from 'node:readline';
import tty from 'node:tty';
import type { Readable, Writable } from 'node:stream';
import type { Command } from 'commander';
import { InputError } from '../errors.ts';
import { clipped, decimal, ECHO_MAX, echoed, printable } from '../cli-util.ts';
import { releaseTerminalAtExit, serviceExitCode, STOP_SIGNALS, type StopSignal } from '../stop.ts';
import { Abandoned } from '../steps/interrupts.ts';
import type { Service } from '../serve.ts';

interface ServeOpts {
  space?: string;
  stdio?: boolean;
  port?: string;
  host: string;
  out?: string;
  seed?: string;
  force?: boolean;
}

export function register(program: Command): void {
  program
    .command('serve')
    .description('ask/tell service over JSON lines (stdin/stdout or TCP) for other optimizers, e.g. Optuna')
    .requiredOption('--space <file>', 'space file (YAML)')
    .option('--stdio', 'serve on stdin/stdout (the default)')
    .option('--port <n>', 'serve on this TCP port instead (0: any free port, printed on stderr)')
    .option('--host <addr>', 'address to listen on with --port', '127.0.0.1')
    .option('-o, --out <dir>', 'results folder of the journal (default results/<name>)')
    .option('--seed <s>', 'override search.seed of the space’s own driver (ask)')
    .option('--force', 'write the journal into a non-empty folder that is not a results folder')
    .action(async (o: ServeOpts, cmd: Command) => serve(o, cmd));
}

/** The command: the options checked, the service started, then served until stdin ends or a signal; the exit code is the first signal's. */
async function serve(o: ServeOpts, cmd: Command): Promise<void> {
  const { port, seed } = checkOptions(o, cmd);
  const stops = handleStops();
  const service = await startService(o, seed, stops);
  if (!service) return;
  const log = (s: string) => process.stderr.write(printable(s) + '\n');
  if (port === undefined) await serveStdio(service, stops, log);
  else await serveTcp(service, port, o.host, stops, log);
  await service.close();
  process.exitCode = serviceExitCode(stops.signal);
}

/** The port and seed, checked (bad options exit 2 before anything is written). */
function checkOptions(o: ServeOpts, cmd: Command): { port?: number; seed?: number } {
  if (o.stdio && o.port !== undefined) throw new InputError('serve: give --stdio or --port, not both');
  // without --port the service answers on stdin/stdout: a --host alone would be ignored
  if (o.port === undefined && cmd.getOptionValueSource('host') === 'cli') throw new InputError(`--host ${clipped(o.host, ECHO_MAX)}: only with --port N (the address the TCP service listens on); without --port the service answers on stdin/stdout`);
  const port = o.port === undefined ? undefined : decimal(o.port);
  if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535)) throw new InputError(`--port: expected an integer 0-65535, got ${echoed(o.port)}`);
  const seed = o.seed === undefined ? undefined : decimal(o.seed);
  if (seed !== undefined && !Number.isInteger(seed)) throw new InputError(`--seed: expected an integer, got ${echoed(o.seed)}`);
  return { port, seed };
}

/** The stop signals as serve sees them: the first one received, the service they stop, and `stopped`, which the first one resolves. */
interface Stops {
  signal?: StopSignal;
  service?: Service;
  stopped: Promise<void>;
  stop: () => void;
  onSignal: (sig: NodeJS.Signals) => void;
}

/**
 * SIGINT, SIGTERM, SIGHUP (the terminal closed), from the first moment: during the start-up (the
 * dense model's run) they abandon it, while serving the request in progress finishes; then the
 * journal is closed, the folder's lock released; the first one decides the exit code, and a
 * repeated one (a second Ctrl-C while it closes) changes nothing.
 */
function handleStops(): Stops {
  let stop!: () => void;
  const stopped = new Promise<void>((r) => (stop = r));
  const stops: Stops = {
    stopped,
    stop,
    onSignal: (sig) => {
      stops.signal ??= sig as StopSignal;
      if (sig === 'SIGHUP') releaseTerminalAtExit(); // the terminal closed: exit 143 (dse/stop.ts)
      stops.service?.stopStarting(sig as StopSignal);
      stop();
    },
  };
  for (const sig of STOP_SIGNALS) process.on(sig, stops.onSignal);
  return stops;
}

/**
 * The service, started (its folder and journal open, the dense model run), or undefined when a
 * signal came first or abandoned the start-up: the exit code is then set, and the journal closed.
 */
async function startService(o: ServeOpts, seed: number | undefined, stops: Stops): Promise<Service | undefined> {
  const { Service } = await import('../serve.ts');
  // a signal before the service opened its folder: nothing to close
  if (stops.signal) return void (process.exitCode = serviceExitCode(stops.signal));
  const service = (stops.service = new Service({ spaceFile: o.space!, outDir: o.out, seed, force: o.force }));
  // a dense model that cannot run fails the command before it listens; a signal during its run
  // abandons it: the service closes its journal, releases the lock and removes what it created
  // and did not use (a journal without records, its folder), and exits with the signal's code
  const started = await service.ready.then(
    () => true,
    async (e) => {
      await service.close();
      if (!(e instanceof Abandoned)) throw e;
      service.discardUnused();
      return false;
    },
  );
  // a signal sent while the forward pass held this thread waits in the event loop's poll phase,
  // which the outcome's promise does not pass through: it is handled before serving begins
  if (started) for (let i = 0; i < 2; i++) await new Promise((r) => setImmediate(r));
  if (!started || stops.signal) {
    if (started) await service.close();
    process.exitCode = serviceExitCode(stops.signal);
    return undefined;
  }
  return service;
}

/** Serves on stdin/stdout until stdin ends or a signal. */
async function serveStdio(service: Service, stops: Stops, log: (s: string) => void): Promise<void> {
  log(`serve: JSON lines on stdin/stdout; journal in ${service.dir}`);
  const onTerminal = tty.isatty(0);
  serveStream(service, process.stdin, process.stdout).then(stops.stop, stops.stop);
  await stops.stopped;
  // a terminal that hung up fails reads with EIO, which ends stdin, and tty.isatty with EIO:
  // its input may end before SIGHUP's handler runs — the hang-up stops serve as SIGHUP does
  if (onTerminal && !tty.isatty(0)) stops.onSignal('SIGHUP');
}

/** Serves on a TCP port until a signal; a port that cannot be listened on is bad input, and the journal the service started is removed. */
async function serveTcp(service: Service, port: number, host: string, stops: Stops, log: (s: string) => void): Promise<void> {
  const server = net.createServer((sock) => void serveStream(service, sock, sock).catch(() => sock.destroy()));
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e) => reject(new InputError(`--port ${port}: ${(e as Error).message}`)));
    server.listen(port, host, resolve);
  }).catch(async (e) => {
    // a port in use: the service never answered; the journal it started (and its folder) removed
    await service.close();
    service.discardUnused();
    throw e;
  });
  const addr = server.address() as net.AddressInfo;
  log(`serve: JSON lines on ${addr.address}:${addr.port}; journal in ${service.dir}`);
  await stops.stopped;
  server.close();
}

/** Answers each line of `input` on `output`, in order, until `input` ends. */
async function serveStream(service: { handle(line: string): Promise<unknown> }, input: Readable, output: Writable): Promise<void> {
  const { MAX_LINE } = await import('../serve.ts');
  const rl = readline.createInterface({ input, crlfDelay: Infinity });
  for await (const line of rl) {
    if (line.trim() === '') continue;
    const res = line.length > MAX_LINE ? { ok: false, error: `request longer than ${MAX_LINE} bytes` } : await service.handle(line);
    if (!output.writable) break;
    output.write(JSON.stringify(res) + '\n');
  }
}
