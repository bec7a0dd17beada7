import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { join } from 'node:path';
import { tempDir } from '../helpers/tiny.js';

/**
 * A real redis-server for the queue tests, on a free port of its own, its data in a temp folder with the
 * append-only file on (what makes a restart lose nothing). Debian's redis-server is a test dependency
 * (.ci/run installs it): without it these tests fail, unless VAELAB_SKIP_REDIS=1 says to leave them out.
 */
export const SKIP_REDIS = process.env['VAELAB_SKIP_REDIS'] === '1';
const REDIS_SERVER = ['/usr/bin/redis-server', '/usr/local/bin/redis-server'].find((p) => existsSync(p)) ?? null;

export function redisMissing(): string | null {
  if (REDIS_SERVER !== null) return null;
  if (SKIP_REDIS) {
    console.warn('VAELAB_SKIP_REDIS=1: skipping the queue tests that need redis-server');
    return 'skip';
  }
  throw new Error('redis-server is not installed (apt-get install redis-server, as .ci/run does); VAELAB_SKIP_REDIS=1 skips these tests on purpose');
}

export interface RedisServer {
  host: string;
  port: number;
  url: string; // with the password when there is one
  dir: string;
  stop(): Promise<void>;
  start(): Promise<void>; // again, on the same port and data folder
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

async function answers(host: string, port: number, ca?: string): Promise<boolean> {
  return await new Promise((resolve) => {
    const s = ca === undefined ? new Socket() : tlsConnect({ host, port, ca: readFileSync(ca) });
    s.once('error', () => resolve(false));
    const ready = () => {
      s.write('PING\r\n');
      s.once('data', (d) => {
        s.destroy();
        resolve(/PONG|NOAUTH/.test(d.toString()));
      });
    };
    if (ca === undefined) s.connect(port, host, ready);
    else s.once('secureConnect', ready);
  });
}

/** A throwaway CA and a server certificate for 127.0.0.1 signed by it (openssl), for a TLS Redis. */
export function testCertificates(dir: string): { ca: string; cert: string; key: string } {
  const f = (name: string) => join(dir, name);
  const run = (...args: string[]) => {
    const r = spawnSync('openssl', args, { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`openssl ${args[0]}: ${r.stderr}`);
  };
  run('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=vaelab test CA', '-keyout', f('ca.key'), '-out', f('ca.pem'));
  run('req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=127.0.0.1', '-keyout', f('server.key'), '-out', f('server.csr'));
  writeFileSync(f('san.cnf'), 'subjectAltName=IP:127.0.0.1\n');
  run('x509', '-req', '-in', f('server.csr'), '-CA', f('ca.pem'), '-CAkey', f('ca.key'), '-CAcreateserial', '-days', '1', '-extfile', f('san.cnf'), '-out', f('server.pem'));
  return { ca: f('ca.pem'), cert: f('server.pem'), key: f('server.key') };
}

export async function startRedis(options: { host?: string; password?: string; tls?: { ca: string; cert: string; key: string } } = {}): Promise<RedisServer> {
  if (REDIS_SERVER === null) throw new Error('redis-server is not installed');
  const host = options.host ?? '127.0.0.1';
  const port = await freePort();
  const dir = tempDir('vaelab-redis-');
  const args = ['--port', String(port), '--bind', host, '--dir', dir, '--appendonly', 'yes', '--appendfsync', 'always', '--save', '', '--daemonize', 'no', '--logfile', join(dir, 'redis.log')];
  if (options.password !== undefined) args.push('--requirepass', options.password);
  // TLS only: the plain port off, clients not asked for certificates of their own
  if (options.tls !== undefined) args.splice(0, 2, '--port', '0', '--tls-port', String(port), '--tls-cert-file', options.tls.cert, '--tls-key-file', options.tls.key, '--tls-ca-cert-file', options.tls.ca, '--tls-auth-clients', 'no');
  const ca = options.tls?.ca;
  let child: ChildProcess | null = null;
  const start = async () => {
    child = spawn(REDIS_SERVER, args, { stdio: 'ignore' });
    for (let i = 0; i < 100 && !(await answers(host, port, ca)); i++) await new Promise((r) => setTimeout(r, 100));
    if (!(await answers(host, port, ca))) throw new Error(`redis-server did not answer on ${host}:${port}; see ${join(dir, 'redis.log')}`);
  };
  const stop = async () => {
    const c = child as ChildProcess | null;
    if (c === null || c.exitCode !== null) return;
    const exited = new Promise((resolve) => c.once('exit', resolve));
    c.kill('SIGTERM'); // a clean shutdown: redis-server flushes the append-only file first
    await exited;
    child = null;
  };
  await start();
  const auth = options.password === undefined ? '' : `:${options.password}@`;
  return { host, port, url: `${options.tls === undefined ? 'redis' : 'rediss'}://${auth}${host}:${port}`, dir, stop, start };
}

/** redis-cli against the test server, for counting what BullMQ stored. */
export function redisCli(r: RedisServer, password: string | undefined, ...command: string[]): string {
  const auth = password === undefined ? [] : ['-a', password, '--no-auth-warning'];
  const out = spawnSync('redis-cli', ['-h', r.host, '-p', String(r.port), ...auth, ...command], { encoding: 'utf8' });
  if (out.status !== 0) throw new Error(`redis-cli ${command.join(' ')}: ${out.stderr}`);
  return out.stdout.trim();
}
