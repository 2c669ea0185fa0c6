/**
 * Opens the evidence store named by a URL:
 *   sqlite:PATH, sqlite:///abs/path, a bare file path  → SQLite (WAL) at PATH
 *   sqlite::memory:                                     → SQLite in memory (tests, one-shot runs)
 *   postgres://… or postgresql://…                      → PostgreSQL (a pool)
 * and applies pending migrations unless told not to.
 */
import type { Driver } from './driver.js';
import { openPostgres } from './postgres.js';
import { openSqlite } from './sqlite.js';
import { SqlStore, storeError } from './store.js';

export type { Store } from './types.js';
export { SqlStore } from './store.js';

export interface OpenStoreOptions {
  /** Apply pending migrations (default true). */
  migrate?: boolean;
  /** PostgreSQL pool size (default 10). */
  poolSize?: number;
}

export type StoreLocation = { dialect: 'sqlite'; file: string } | { dialect: 'postgres'; url: string };

/** The URL as it may be shown: any password replaced. */
export function redactStoreUrl(url: string): string {
  // pg takes the password up to the last @ before the path (a raw @ in it is common), and from ?password= too.
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@]*:)[^/?#]*@/i, '$1***@').replace(/([?&]password=)[^&#]*/gi, '$1***');
}

export function parseStoreUrl(url: string): StoreLocation {
  const shown = redactStoreUrl(url);
  if (typeof url !== 'string' || url.trim() === '') throw storeError('PALISADE_STORE_URL', { url: '""', detail: 'empty' });
  if (/^postgres(ql)?:\/\//i.test(url)) {
    try {
      new URL(url);
    } catch {
      throw storeError('PALISADE_STORE_URL', { url: shown, detail: 'not a valid URL' });
    }
    return { dialect: 'postgres', url };
  }
  if (/^sqlite:/i.test(url)) {
    let file = url.slice('sqlite:'.length);
    if (file.startsWith('//')) file = file.slice(2);
    if (file === '') throw storeError('PALISADE_STORE_URL', { url: shown, detail: 'no file path after sqlite:' });
    return { dialect: 'sqlite', file };
  }
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(url);
  if (scheme) throw storeError('PALISADE_STORE_URL', { url: shown, detail: `unsupported scheme ${scheme[1]}` });
  return { dialect: 'sqlite', file: url };
}

export async function openStore(url: string, opts: OpenStoreOptions = {}): Promise<SqlStore> {
  const where = parseStoreUrl(url);
  const shown = redactStoreUrl(url);
  let driver: Driver;
  try {
    driver = where.dialect === 'sqlite' ? openSqlite(where.file) : openPostgres(where.url, { max: opts.poolSize });
  } catch (e) {
    throw storeError('PALISADE_STORE_OPEN', { url: shown, reason: e instanceof Error ? e.message : String(e) });
  }
  const store = new SqlStore(driver, shown);
  if (opts.migrate !== false) {
    try {
      await store.migrate();
    } catch (e) {
      await store.close().catch(() => {});
      throw e;
    }
  }
  return store;
}
