/**
 * Redis servers of a test's own: `freePort` (a local port nothing listens on once it returns) and
 * `ownRedis`, a redis-server on such a port that a test can crash and restart (the restart and
 * outage tests) or start with its own settings (databases, a password).
 */
import { spawn } from 'node:child_process';
import net from 'node:net';
import { checkRedis, parseRedisUrl } from '../dse/backends/redis.ts';
import { waitFor } from './wait.ts';

/** A local port that was free a moment ago (the OS picked it; the listener is closed again). */
export async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

/**
 * A redis-server of the test's own on a free port (`args` added to its command line): `up` waits
 * until it answers at `at` (its URL by default), `crash` kills it with SIGKILL and waits for
 * the exit, `restart` starts it again on the same port (empty), `kill` ends it (a test's finally).
 */
export async function ownRedis(args: string[] = []) {
  const port = await freePort();
  const url = `redis://127.0.0.1:${port}`;
  const launch = () => spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', ...args], { stdio: 'ignore' });
  let server = launch();
  return {
    port,
    url,
    up: (at = url) => waitFor(async () => await checkRedis(parseRedisUrl(at), 'test', 500).then(() => true, () => false), 10_000),
    crash: async () => {
      server.kill('SIGKILL');
      await new Promise((r) => server.once('exit', r));
    },
    restart: () => void (server = launch()),
    kill: () => void server.kill('SIGKILL'),
  };
}
