/**
 * A real, throw-away PostgreSQL server for tests and benchmarks: initdb into a temp dir,
 * trust authentication on a private unix socket dir and 127.0.0.1 on a free port, fsync
 * off. As root, the server runs as the `postgres` user (PostgreSQL refuses to run as root).
 * No binaries is an error, not a skip: CI installs postgresql, and a suite that silently
 * skips its PostgreSQL half proves nothing.
 */
import { execFile } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

const run = promisify(execFile);

export interface TestPostgres {
  /** URL of the `postgres` database. */
  url: string;
  /** The server's data directory (for tests that look at the bytes on disk). */
  dataDir: string;
  /** Creates an empty database and returns its URL. */
  newDatabase(): Promise<string>;
  stop(): Promise<void>;
}

function findBinDir(): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir && existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'pg_ctl'))) return dir;
  }
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions.length ? join(root, versions[0], 'bin') : undefined;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

function postgresUser(): { uid: number; gid: number } {
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('postgres:'));
  if (!line) throw new Error('running as root, but there is no `postgres` user to run PostgreSQL as (PostgreSQL refuses to run as root); install postgresql or run the tests as another user');
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

let counter = 0;

const hasRunuser = () => ['/usr/sbin/runuser', '/sbin/runuser', '/usr/bin/runuser', '/bin/runuser'].some((p) => existsSync(p));
const shellQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

export async function startPostgres(): Promise<TestPostgres> {
  const bin = findBinDir();
  if (!bin) throw new Error('PostgreSQL server binaries (initdb, pg_ctl) not found on PATH or under /usr/lib/postgresql/*/bin; install postgresql (CI does: .ci/run) to run the PostgreSQL store tests');
  const asRoot = process.getuid?.() === 0;
  const dir = mkdtempSync(join(tmpdir(), 'palisade-pg-'));
  const data = join(dir, 'data');
  const log = join(dir, 'server.log');
  const exec = async (file: string, args: string[]) => {
    const program = join(bin, file);
    if (!asRoot) await run(program, args, { timeout: 60_000 });
    else if (hasRunuser()) await run('runuser', ['-u', 'postgres', '--', program, ...args], { timeout: 60_000 });
    else await run('su', ['postgres', '-s', '/bin/sh', '-c', [program, ...args].map(shellQuote).join(' ')], { timeout: 60_000 });
  };
  if (asRoot) {
    const { uid, gid } = postgresUser();
    chownSync(dir, uid, gid);
  }
  const port = await freePort();
  try {
    await exec('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--no-sync', '--locale=C']);
    const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=50`;
    await exec('pg_ctl', ['-D', data, '-l', log, '-o', options, '-w', '-t', '60', 'start']);
  } catch (e) {
    let tail = '';
    try {
      tail = readFileSync(log, 'utf8').slice(-2000);
    } catch {
      // no log yet
    }
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`cannot start a test PostgreSQL: ${e instanceof Error ? e.message : String(e)}${tail ? `\n${tail}` : ''}`);
  }
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  return {
    url,
    dataDir: data,
    async newDatabase() {
      const name = `t${process.pid}_${++counter}`;
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE ${name}`);
      } finally {
        await client.end();
      }
      return `postgres://postgres@127.0.0.1:${port}/${name}`;
    },
    async stop() {
      try {
        await exec('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
