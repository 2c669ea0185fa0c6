/**
 * The little a store needs from a SQL database, so store.ts is written once. SQL is written
 * with `?` placeholders in the subset SQLite and PostgreSQL share; the PostgreSQL driver
 * numbers the placeholders. Values are numbers, strings or null (booleans become 0/1).
 */
export type SqlValue = string | number | boolean | null | undefined;
export type Row = Record<string, unknown>;
export type ColumnType = 'text' | 'bigint' | 'integer';

export interface Queryable {
  readonly dialect: 'sqlite' | 'postgres';
  /** Rows of a query (or of a statement with RETURNING). */
  all<T = Row>(sql: string, params?: readonly SqlValue[]): Promise<T[]>;
  get<T = Row>(sql: string, params?: readonly SqlValue[]): Promise<T | undefined>;
  /**
   * Calls `fn` for each row. SQLite streams, so a row dies young once `fn` has turned it into
   * something else (100,000 materialised rows otherwise cost more in GC than in SQL).
   */
  each<T = Row>(sql: string, params: readonly SqlValue[], fn: (row: T) => void): Promise<void>;
  /** Runs a statement; the number of rows it changed. */
  run(sql: string, params?: readonly SqlValue[]): Promise<number>;
  /**
   * Inserts many rows: `head` is `INSERT INTO t (a, b, c)`, every row has the same width,
   * `tail` (e.g. an ON CONFLICT clause) follows the VALUES. Prepared once and looped in
   * SQLite. In PostgreSQL, multi-row VALUES batches, or — given the SQL type of each column
   * (`text`, `bigint`, `integer`) — one UNNEST of column arrays per batch, which parses and
   * plans once for thousands of rows.
   */
  insertMany(head: string, rows: readonly (readonly SqlValue[])[], tail?: string, types?: readonly ColumnType[]): Promise<void>;
}

export interface Driver extends Queryable {
  /** Runs `fn` in one transaction; `lock` takes the database's migration lock first. */
  tx<T>(fn: (q: Queryable) => Promise<T>, opts?: { lock?: boolean }): Promise<T>;
  /** Refreshes the planner's statistics of these tables (after a bulk change). */
  analyze(tables: readonly string[]): Promise<void>;
  sizeBytes(): Promise<number>;
  close(): Promise<void>;
}

export function bindable(v: SqlValue): string | number | null {
  if (v === undefined || v === null) return null;
  if (typeof v === 'boolean') return v ? 1 : 0;
  return v;
}

/** Serialises work on a connection that cannot interleave transactions. */
export class Mutex {
  private tail: Promise<void> = Promise.resolve();

  async run<T>(fn: () => Promise<T> | T): Promise<T> {
    const prev = this.tail;
    let release!: () => void;
    this.tail = new Promise<void>((r) => (release = r));
    await prev;
    try {
      return await fn();
    } finally {
      release();
    }
  }
}
