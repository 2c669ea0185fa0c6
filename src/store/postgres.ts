import pg from 'pg';
import { bindable, type ColumnType, type Driver, type Queryable, type SqlValue } from './driver.js';

/** Any constant shared by every Palisade process migrating the same database. */
const MIGRATION_LOCK = 0x70616c69; // "pali"
const MAX_PARAMS = 30_000;
const MAX_ROWS_PER_INSERT = 1_000;
const UNNEST_ROWS = 10_000;
const INT8 = 20;
const NUMERIC = 1700;

const numbered = new Map<string, string>();
/** `?` → `$1, $2, …`; the shared SQL never has a `?` inside a literal. */
function toPg(sql: string): string {
  let out = numbered.get(sql);
  if (out === undefined) {
    let n = 0;
    out = sql.replace(/\?/g, () => `$${++n}`);
    if (numbered.size < 2_000) numbered.set(sql, out);
  }
  return out;
}

// Counts and ids are int8; they stay far below 2^53, so numbers are the honest JavaScript type.
const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === INT8 || oid === NUMERIC) return (v: string) => (v === null ? null : Number(v));
    return pg.types.getTypeParser(oid, format as 'text');
  },
};

function queryable(client: pg.Pool | pg.PoolClient): Queryable {
  const args = (params: readonly SqlValue[] = []) => params.map(bindable);
  return {
    dialect: 'postgres',
    async all<T>(sql: string, params?: readonly SqlValue[]) {
      return (await client.query(toPg(sql), args(params))).rows as T[];
    },
    async get<T>(sql: string, params?: readonly SqlValue[]) {
      return (await client.query(toPg(sql), args(params))).rows[0] as T | undefined;
    },
    async each<T>(sql: string, params: readonly SqlValue[], fn: (row: T) => void) {
      for (const row of (await client.query(toPg(sql), args(params))).rows) fn(row as T);
    },
    async run(sql: string, params?: readonly SqlValue[]) {
      return (await client.query(toPg(sql), args(params))).rowCount ?? 0;
    },
    async insertMany(head: string, rows: readonly (readonly SqlValue[])[], tail = '', types?: readonly ColumnType[]) {
      if (rows.length === 0) return;
      const width = rows[0].length;
      if (types) {
        if (types.length !== width) throw new Error(`insertMany: ${types.length} column types for rows of ${width} values`);
        const sql = `${head} SELECT * FROM UNNEST(${types.map((t, k) => `$${k + 1}::${t}[]`).join(', ')}) ${tail}`;
        for (let i = 0; i < rows.length; i += UNNEST_ROWS) {
          const chunk = rows.slice(i, i + UNNEST_ROWS);
          const columns = types.map((_, k) => chunk.map((r) => bindable(r[k])));
          await client.query(sql, columns);
        }
        return;
      }
      const per = Math.max(1, Math.min(MAX_ROWS_PER_INSERT, Math.floor(MAX_PARAMS / width)));
      for (let i = 0; i < rows.length; i += per) {
        const chunk = rows.slice(i, i + per);
        const values: (string | number | null)[] = [];
        const tuples = chunk.map((r) => {
          const start = values.length;
          for (const v of r) values.push(bindable(v));
          return `(${r.map((_, k) => `$${start + k + 1}`).join(', ')})`;
        });
        await client.query(`${head} VALUES ${tuples.join(', ')} ${tail}`, values);
      }
    },
  };
}

export function openPostgres(url: string, opts: { max?: number } = {}): Driver {
  const pool = new pg.Pool({ connectionString: url, max: opts.max ?? 10, types });
  // An idle client losing its connection must not crash the process; the next query reconnects.
  pool.on('error', () => {});
  const base = queryable(pool);
  return {
    ...base,
    async tx<T>(fn: (q: Queryable) => Promise<T>, o?: { lock?: boolean }) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        if (o?.lock) await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
        const out = await fn(queryable(client));
        await client.query('COMMIT');
        return out;
      } catch (e) {
        await client.query('ROLLBACK').catch(() => {});
        throw e;
      } finally {
        client.release();
      }
    },
    async analyze(tables: readonly string[]) {
      await base.run(`ANALYZE ${tables.join(', ')}`);
    },
    async sizeBytes() {
      const r = await base.get<{ n: number }>('SELECT pg_database_size(current_database()) AS n');
      return r?.n ?? 0;
    },
    async close() {
      await pool.end();
    },
  };
}
