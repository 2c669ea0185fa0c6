import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import Database from 'better-sqlite3';
import { bindable, Mutex, type Driver, type Queryable, type SqlValue } from './driver.js';

const STATEMENT_CACHE_LIMIT = 500;

/**
 * better-sqlite3 is synchronous: every call finishes before the next begins, so the only
 * interleaving to prevent is another caller's statement landing inside an open transaction
 * while its body awaits. A mutex serialises whole operations on the one connection.
 */
const shared = new Map<string, { driver: Driver; refs: number }>();

/**
 * Stores opened on one file in one process share a connection (and its mutex): two
 * synchronous connections in one thread would each wait on the other's lock while holding
 * the thread. Other processes are serialised by SQLite's own locking.
 */
export function openSqlite(file: string): Driver {
  if (file === ':memory:') return connect(file, () => {});
  const key = resolve(file);
  const entry = shared.get(key);
  if (entry) {
    entry.refs++;
    return entry.driver;
  }
  const fresh = { driver: connect(file, () => shared.delete(key)), refs: 1 };
  shared.set(key, fresh);
  const close = fresh.driver.close;
  fresh.driver.close = async () => {
    if (--fresh.refs > 0) return;
    await close();
  };
  return fresh.driver;
}

function connect(file: string, onClose: () => void): Driver {
  const db = new Database(file);
  const memory = file === ':memory:';
  if (!memory) db.pragma('journal_mode = WAL');
  // A big ingest grows the WAL; after each checkpoint it is cut back to this size.
  db.pragma('journal_size_limit = 67108864');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');

  const cache = new Map<string, Database.Statement>();
  const prepare = (sql: string): Database.Statement => {
    let st = cache.get(sql);
    if (!st) {
      if (cache.size >= STATEMENT_CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
      st = db.prepare(sql);
      cache.set(sql, st);
    }
    return st;
  };
  const args = (params: readonly SqlValue[] = []) => params.map(bindable);

  const direct: Queryable = {
    dialect: 'sqlite',
    async all<T>(sql: string, params?: readonly SqlValue[]) {
      return prepare(sql).all(...args(params)) as T[];
    },
    async get<T>(sql: string, params?: readonly SqlValue[]) {
      return prepare(sql).get(...args(params)) as T | undefined;
    },
    async each<T>(sql: string, params: readonly SqlValue[], fn: (row: T) => void) {
      for (const row of prepare(sql).iterate(...args(params))) fn(row as T);
    },
    async run(sql: string, params?: readonly SqlValue[]) {
      const st = prepare(sql);
      if (st.reader) return st.all(...args(params)).length;
      return st.run(...args(params)).changes;
    },
    async insertMany(head: string, rows: readonly (readonly SqlValue[])[], tail = '') {
      if (rows.length === 0) return;
      const st = prepare(`${head} VALUES (${rows[0].map(() => '?').join(', ')}) ${tail}`);
      for (const r of rows) st.run(...args(r));
    },
  };

  const mutex = new Mutex();
  const locked = <A extends unknown[], R>(f: (...a: A) => Promise<R>) => (...a: A) => mutex.run(() => f(...a));

  return {
    dialect: 'sqlite',
    all: locked(direct.all) as Queryable['all'],
    get: locked(direct.get) as Queryable['get'],
    each: locked(direct.each) as Queryable['each'],
    run: locked(direct.run),
    insertMany: locked(direct.insertMany),
    tx<T>(fn: (q: Queryable) => Promise<T>) {
      return mutex.run(async () => {
        // IMMEDIATE takes the write lock up front: another process then waits (busy_timeout)
        // instead of failing when a read transaction would have to become a write one.
        db.exec('BEGIN IMMEDIATE');
        try {
          const out = await fn(direct);
          db.exec('COMMIT');
          return out;
        } catch (e) {
          if (db.inTransaction) db.exec('ROLLBACK');
          throw e;
        }
      });
    },
    analyze(tables: readonly string[]) {
      return mutex.run(() => {
        for (const t of tables) db.exec(`ANALYZE ${t}`);
      });
    },
    async sizeBytes() {
      if (memory) return (db.pragma('page_count', { simple: true }) as number) * (db.pragma('page_size', { simple: true }) as number);
      let n = 0;
      for (const f of [file, `${file}-wal`]) {
        try {
          n += statSync(f).size;
        } catch {
          // no WAL file yet
        }
      }
      return n;
    },
    async close() {
      await mutex.run(() => {
        cache.clear();
        // Cheap, and keeps the planner's statistics current for the next start (SQLite's advice).
        db.pragma('optimize');
        db.close();
        onClose();
      });
    },
  };
}
