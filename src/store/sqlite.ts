// The SQLite binding under the store and the data-directory lock: better-sqlite3 (a native addon, built at
// install) or, on Node 22.5+, the built-in `node:sqlite`, so a peer can run where the addon was not built
// (`npm install --omit=optional`). Both are synchronous and expose the same small surface here; the store's
// contract suite (test/store/contract.test.ts) runs on each.
import { createRequire } from 'node:module';
import { McpError } from '../errors.js';

export const SQLITE_DRIVERS = ['auto', 'better-sqlite3', 'node:sqlite'] as const;
export type SqliteDriverChoice = (typeof SQLITE_DRIVERS)[number];
export type SqliteDriverName = Exclude<SqliteDriverChoice, 'auto'>;

export interface SqliteStatement<P extends unknown[] = unknown[], R = unknown> {
  get(...params: P): R | undefined;
  all(...params: P): R[];
  run(...params: P): { changes: number };
}

export interface SqliteDb {
  readonly driver: SqliteDriverName;
  readonly open: boolean;
  exec(sql: string): void;
  prepare<P extends unknown[] = unknown[], R = unknown>(sql: string): SqliteStatement<P, R>;
  /** Runs fn in a transaction (a savepoint when one is already open): committed if it returns, rolled back if it throws. */
  transaction<T>(fn: () => T): T;
  close(): void;
}

export interface SqliteOpenOptions {
  driver?: SqliteDriverChoice;
  /** Milliseconds to wait for another connection's lock before failing busy (default 5000). */
  busyTimeoutMs?: number;
}

/** A lock held by another connection: SQLITE_BUSY or SQLITE_LOCKED, whichever binding threw it. */
export function isBusyError(error: unknown): boolean {
  const e = error as { code?: string; errcode?: number };
  return e.code?.startsWith('SQLITE_BUSY') === true || e.code === 'SQLITE_LOCKED' || ((e.errcode ?? 0) & 0xff) === 5 || ((e.errcode ?? 0) & 0xff) === 6;
}

// The subset of the two bindings used here, declared by hand: @types/node 20 has no node:sqlite.
interface BetterSqlite3Db {
  readonly open: boolean;
  exec(sql: string): unknown;
  prepare(sql: string): { get(...p: unknown[]): unknown; all(...p: unknown[]): unknown[]; run(...p: unknown[]): { changes: number } };
  transaction<T>(fn: () => T): () => T;
  close(): void;
}
interface NodeSqliteDb {
  readonly isOpen: boolean;
  readonly isTransaction: boolean;
  exec(sql: string): void;
  prepare(sql: string): { get(...p: unknown[]): unknown; all(...p: unknown[]): unknown[]; run(...p: unknown[]): { changes: number | bigint } };
  close(): void;
}
type NodeSqliteModule = { DatabaseSync: new (path: string, options?: { timeout?: number }) => NodeSqliteDb };
type BetterSqlite3Module = new (path: string, options?: { timeout?: number }) => BetterSqlite3Db;

const require = createRequire(import.meta.url);

let betterSqlite3: BetterSqlite3Module | Error | undefined;

/** The addon, or why it cannot be used. Its JavaScript loads even when the native part was built for another Node (or not at all): opening a database is the real test. */
function loadBetterSqlite3(): BetterSqlite3Module | Error {
  if (betterSqlite3 === undefined) {
    try {
      const Better = require('better-sqlite3') as BetterSqlite3Module;
      new Better(':memory:').close();
      betterSqlite3 = Better;
    } catch (error) {
      betterSqlite3 = error as Error;
    }
  }
  return betterSqlite3;
}

function loadNodeSqlite(): NodeSqliteModule | undefined {
  // Only where node:sqlite needs no flag (22.13+, 23.4+; behind --experimental-sqlite on 22.5–22.12).
  try {
    return process.getBuiltinModule('node:sqlite') as NodeSqliteModule | undefined;
  } catch {
    return undefined;
  }
}

/** The drivers this process can open, best first. */
export function availableSqliteDrivers(): SqliteDriverName[] {
  const out: SqliteDriverName[] = [];
  if (!(loadBetterSqlite3() instanceof Error)) out.push('better-sqlite3');
  if (loadNodeSqlite()) out.push('node:sqlite');
  return out;
}

export function openSqlite(path: string, options: SqliteOpenOptions = {}): SqliteDb {
  const choice = options.driver ?? 'auto';
  const timeout = options.busyTimeoutMs ?? 5_000;
  if (choice !== 'node:sqlite') {
    const Better = loadBetterSqlite3();
    if (!(Better instanceof Error)) return fromBetterSqlite3(new Better(path, { timeout }));
    if (choice === 'better-sqlite3') throw new McpError('STORE_DRIVER_MISSING', `better-sqlite3 cannot be loaded (${Better.message.split('\n')[0]}): run npm rebuild better-sqlite3, or use node:sqlite on Node 22.13+`);
  }
  const nodeSqlite = loadNodeSqlite();
  if (!nodeSqlite) {
    throw new McpError('STORE_DRIVER_MISSING', `no SQLite binding: better-sqlite3 is not installed or not built for Node ${process.versions.node}, and this Node has no node:sqlite (22.13+): run npm rebuild better-sqlite3`);
  }
  return fromNodeSqlite(new nodeSqlite.DatabaseSync(path, { timeout }));
}

function fromBetterSqlite3(db: BetterSqlite3Db): SqliteDb {
  return {
    driver: 'better-sqlite3',
    get open() {
      return db.open;
    },
    exec: (sql) => void db.exec(sql),
    prepare: <P extends unknown[], R>(sql: string) => db.prepare(sql) as unknown as SqliteStatement<P, R>,
    transaction: (fn) => db.transaction(fn)(),
    close: () => db.close(),
  };
}

function fromNodeSqlite(db: NodeSqliteDb): SqliteDb {
  let savepoints = 0;
  return {
    driver: 'node:sqlite',
    get open() {
      return db.isOpen;
    },
    exec: (sql) => db.exec(sql),
    prepare<P extends unknown[], R>(sql: string): SqliteStatement<P, R> {
      const stmt = db.prepare(sql);
      // Rows come with a null prototype: made plain objects, as better-sqlite3 gives them.
      return {
        get: (...params) => {
          const row = stmt.get(...params);
          return row === undefined ? undefined : ({ ...(row as object) } as R);
        },
        all: (...params) => stmt.all(...params).map((row) => ({ ...(row as object) }) as R),
        run: (...params) => ({ changes: Number(stmt.run(...params).changes) }),
      };
    },
    transaction<T>(fn: () => T): T {
      const nested = db.isTransaction;
      const name = `sp${++savepoints}`;
      db.exec(nested ? `SAVEPOINT ${name}` : 'BEGIN');
      try {
        const result = fn();
        db.exec(nested ? `RELEASE ${name}` : 'COMMIT');
        return result;
      } catch (error) {
        db.exec(nested ? `ROLLBACK TO ${name}; RELEASE ${name}` : 'ROLLBACK');
        throw error;
      } finally {
        savepoints--;
      }
    },
    close: () => db.close(),
  };
}
