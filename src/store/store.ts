// The peer's embedded store: one SQLite file in the data directory, through better-sqlite3 (synchronous,
// transactional, the most used binding, and the only one on Node 20) or node:sqlite (src/store/sqlite.ts).
import { redactSecrets } from '../security/secrets.js';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { openSqlite, type SqliteDb, type SqliteDriverChoice, type SqliteDriverName } from './sqlite.js';
import { ExecutionDocSchema, FINAL_STATUSES, type ExecutionDoc } from '../execution/contract.js';
import type { ResultsDelta } from '../stats/delta.js';

/** The final statuses as an SQL list: an ended version of an execution is kept over any unfinished one (replication/digest.ts). */
const FINAL_SQL = `(${FINAL_STATUSES.map((st) => `'${st}'`).join(', ')})`;

export const STORE_FILE = 'store.db';

export interface StoredExecution {
  execution_id: string;
  /** Term of the coordinator that wrote this version; with `version`, orders replicas. */
  term: number;
  version: number;
  status: string;
  created_at: number;
  doc: ExecutionDoc;
}

export interface ExecutionHead {
  execution_id: string;
  term: number;
  version: number;
  status: string;
  created_at: number;
}

export interface RunSpan {
  run_id: string;
  count: number;
  first: number;
  last: number;
}

export interface StoredDelta {
  execution_id: string;
  run_id: string;
  seq: number;
  delta: ResultsDelta;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS kv (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS executions (
  execution_id TEXT PRIMARY KEY,
  term INTEGER NOT NULL,
  version INTEGER NOT NULL,
  status TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  doc TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS deltas (
  execution_id TEXT NOT NULL,
  run_id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  delta TEXT NOT NULL,
  PRIMARY KEY (execution_id, run_id, seq)
);
CREATE INDEX IF NOT EXISTS executions_by_created ON executions (created_at);
CREATE INDEX IF NOT EXISTS executions_by_status ON executions (status);
`;

export interface StoreOptions {
  /** Told once per execution whose row (or one of whose deltas) is found damaged; reads skip it. */
  onDamaged?(executionId: string, error: string): void;
  /** The SQLite binding (default auto: better-sqlite3 when it loads, else node:sqlite). */
  driver?: SqliteDriverChoice;
}

export class Store {
  readonly path: string;
  readonly #db: SqliteDb;
  readonly #stmts;
  #executionWrites = 0;
  readonly #damaged = new Map<string, string>();
  readonly #onDamaged: (executionId: string, error: string) => void;

  static open(dataDir: string, options: StoreOptions = {}): Store {
    mkdirSync(dataDir, { recursive: true });
    return new Store(join(dataDir, STORE_FILE), options);
  }

  private constructor(path: string, options: StoreOptions) {
    this.path = path;
    this.#onDamaged = options.onDamaged ?? (() => {});
    this.#db = openSqlite(path, options.driver ? { driver: options.driver } : {});
    this.#db.exec('PRAGMA journal_mode = WAL');
    this.#db.exec('PRAGMA synchronous = NORMAL');
    this.#db.exec(SCHEMA);
    this.#stmts = {
      getKv: this.#db.prepare<[string], { value: string }>('SELECT value FROM kv WHERE key = ?'),
      setKv: this.#db.prepare('INSERT INTO kv (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value'),
      getExec: this.#db.prepare<[string], Row>('SELECT * FROM executions WHERE execution_id = ?'),
      listExec: this.#db.prepare<[], Row>('SELECT * FROM executions ORDER BY created_at DESC'),
      putExec: this.#db.prepare(
        `INSERT INTO executions (execution_id, term, version, status, created_at, doc) VALUES (@execution_id, @term, @version, @status, @created_at, @doc)
         ON CONFLICT(execution_id) DO UPDATE SET term = excluded.term, version = excluded.version, status = excluded.status, doc = excluded.doc
         WHERE (excluded.status IN ${FINAL_SQL}) > (executions.status IN ${FINAL_SQL})
            OR ((excluded.status IN ${FINAL_SQL}) = (executions.status IN ${FINAL_SQL})
                AND ((excluded.term = executions.term AND excluded.version > executions.version)
                  OR (excluded.term > executions.term AND executions.status NOT IN ${FINAL_SQL})
                  OR (excluded.term < executions.term AND executions.status IN ${FINAL_SQL})))`,
      ),
      addDelta: this.#db.prepare('INSERT OR IGNORE INTO deltas (execution_id, run_id, seq, delta) VALUES (?, ?, ?, ?)'),
      deltas: this.#db.prepare<[string], { execution_id: string; run_id: string; seq: number; delta: string }>(
        'SELECT * FROM deltas WHERE execution_id = ? ORDER BY run_id, seq',
      ),
      deltasAfter: this.#db.prepare<[number], { rowid: number; execution_id: string; run_id: string; seq: number; delta: string }>(
        'SELECT rowid, * FROM deltas WHERE rowid > ? ORDER BY rowid',
      ),
      lastDeltaRow: this.#db.prepare<[], { last: number | null }>('SELECT max(rowid) AS last FROM deltas'),
      head: this.#db.prepare<[string], ExecutionHead>('SELECT execution_id, term, version, status, created_at FROM executions WHERE execution_id = ?'),
      headsIn: this.#db.prepare<[string], ExecutionHead>(
        'SELECT execution_id, term, version, status, created_at FROM executions WHERE status IN (SELECT value FROM json_each(?)) ORDER BY created_at DESC',
      ),
      newestHeads: this.#db.prepare<[string, number, number, number], ExecutionHead>(
        `SELECT execution_id, term, version, status, created_at FROM executions
         WHERE status NOT IN (SELECT value FROM json_each(?)) AND created_at >= ? AND created_at < ? ORDER BY created_at DESC LIMIT ?`,
      ),
      runSpans: this.#db.prepare<[string], RunSpan>(
        'SELECT run_id, COUNT(*) AS count, MIN(seq) AS first, MAX(seq) AS last FROM deltas WHERE execution_id = ? GROUP BY run_id',
      ),
      runSeqs: this.#db.prepare<[string, string], { seq: number }>('SELECT seq FROM deltas WHERE execution_id = ? AND run_id = ?'),
      deltaRange: this.#db.prepare<[string, string, number, number], { execution_id: string; run_id: string; seq: number; delta: string }>(
        'SELECT * FROM deltas WHERE execution_id = ? AND run_id = ? AND seq BETWEEN ? AND ? ORDER BY seq',
      ),
      pruneDeltas: this.#db.prepare<[string, number]>(
        'DELETE FROM deltas WHERE execution_id IN (SELECT execution_id FROM executions WHERE status IN (SELECT value FROM json_each(?)) AND created_at < ?)',
      ),
      pruneExecs: this.#db.prepare<[string, number]>('DELETE FROM executions WHERE status IN (SELECT value FROM json_each(?)) AND created_at < ?'),
      requestsByRun: this.#db.prepare<[string], { run_id: string; requests: number | null }>(
        "SELECT run_id, SUM(json_extract(delta, '$.totals.requests')) AS requests FROM deltas WHERE execution_id = ? GROUP BY run_id",
      ),
    };
  }

  getValue<T>(key: string): T | undefined {
    const row = this.#stmts.getKv.get(key);
    return row ? (JSON.parse(row.value) as T) : undefined;
  }

  setValue(key: string, value: unknown): void {
    this.#stmts.setKv.run(key, JSON.stringify(value));
  }

  /**
   * Keep this version if it is newer than what is stored: an ended one over any unfinished one, the first
   * end over a later one, otherwise by higher term, then higher version (actors/coordinator/replication/
   * digest.ts). True if written.
   */
  putExecution(execution: StoredExecution): boolean {
    // Secrets in plans never reach the disk (nor the API and replicas read from it).
    const result = this.#stmts.putExec.run({ ...execution, doc: JSON.stringify(redactSecrets(execution.doc)) });
    if (result.changes > 0) this.#executionWrites++;
    return result.changes > 0;
  }

  /**
   * Goes up whenever an execution row is written or deleted: a reader that checked a head at one value
   * need not read it again while the value is the same (a read per GET otherwise).
   */
  get executionWrites(): number {
    return this.#executionWrites;
  }

  /** The stored execution; undefined when there is none, or when its row is damaged (see `damaged`). */
  getExecution(id: string): StoredExecution | undefined {
    const row = this.#stmts.getExec.get(id);
    return row ? this.#fromRow(row) : undefined;
  }

  /** Every execution, newest first; or only those in the given states. Damaged rows are skipped and reported. */
  listExecutions(statuses?: readonly string[]): StoredExecution[] {
    const rows = this.#stmts.listExec.all();
    const out: StoredExecution[] = [];
    for (const row of statuses ? rows.filter((r) => statuses.includes(r.status)) : rows) {
      const stored = this.#fromRow(row);
      if (stored) out.push(stored);
    }
    return out;
  }

  /** Rows found damaged so far (unreadable or not an execution), by execution id: skipped by every read. */
  damaged(): { execution_id: string; error: string }[] {
    return [...this.#damaged].map(([execution_id, error]) => ({ execution_id, error }));
  }

  #fromRow(row: Row): StoredExecution | undefined {
    let error: string;
    try {
      const parsed = ExecutionDocSchema.safeParse(JSON.parse(row.doc));
      if (parsed.success) return { ...row, doc: parsed.data };
      error = parsed.error.issues.slice(0, 3).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    } catch (e) {
      error = `not JSON (${(e as Error).message.slice(0, 80)})`;
    }
    if (!this.#damaged.has(row.execution_id)) this.#onDamaged(row.execution_id, error);
    this.#damaged.set(row.execution_id, error);
    return undefined;
  }

  /**
   * Deletes executions in one of `statuses` (ended ones: the caller names them) created before
   * `beforeMs`, with their deltas, in one transaction. Returns how many executions went.
   */
  prune(statuses: readonly string[], beforeMs: number): number {
    const list = JSON.stringify(statuses);
    return this.#db.transaction(() => {
      this.#stmts.pruneDeltas.run(list, beforeMs);
      const changes = this.#stmts.pruneExecs.run(list, beforeMs).changes;
      if (changes > 0) this.#executionWrites++;
      return changes;
    });
  }

  /** Store a delta once; false when (execution, run, seq) is already there. */
  addDelta(delta: StoredDelta): boolean {
    return this.#stmts.addDelta.run(delta.execution_id, delta.run_id, delta.seq, JSON.stringify(delta.delta)).changes > 0;
  }

  /** An execution's deltas; damaged ones are skipped and reported. */
  deltas(executionId: string): StoredDelta[] {
    const out: StoredDelta[] = [];
    for (const r of this.#stmts.deltas.all(executionId)) {
      try {
        out.push({ ...r, delta: JSON.parse(r.delta) as ResultsDelta });
      } catch (e) {
        const error = `delta ${r.run_id}#${r.seq} is not JSON (${(e as Error).message.slice(0, 80)})`;
        if (!this.#damaged.has(executionId)) this.#onDamaged(executionId, error);
        this.#damaged.set(executionId, error);
      }
    }
    return out;
  }

  /** Deltas stored after row `rowid`, in storage order, with their row: a cursor for readers that follow along. */
  deltasAfter(rowid: number): (StoredDelta & { rowid: number })[] {
    return this.#stmts.deltasAfter.all(rowid).map((r) => ({ ...r, delta: JSON.parse(r.delta) as ResultsDelta }));
  }

  /** The row of the latest stored delta (0 when none): cheap to poll. */
  lastDeltaRow(): number {
    return this.#stmts.lastDeltaRow.get()?.last ?? 0;
  }

  /** An execution's ordering fields and status, without reading its document. */
  head(executionId: string): ExecutionHead | undefined {
    return this.#stmts.head.get(executionId);
  }

  /** Heads of the executions in these states, newest first. */
  headsIn(statuses: readonly string[]): ExecutionHead[] {
    return this.#stmts.headsIn.all(JSON.stringify(statuses));
  }

  /** Heads of the newest executions not in `excluded` states, created in [since, before), newest first. */
  newestHeads(excluded: readonly string[], limit: number, since = 0, before = Number.MAX_SAFE_INTEGER): ExecutionHead[] {
    return this.#stmts.newestHeads.all(JSON.stringify(excluded), since, before, limit);
  }

  /** Per run of an execution: how many deltas are held and the lowest and highest seq. */
  runSpans(executionId: string): RunSpan[] {
    return this.#stmts.runSpans.all(executionId);
  }

  runSeqs(executionId: string, runId: string): number[] {
    return this.#stmts.runSeqs.all(executionId, runId).map((r) => r.seq);
  }

  /** Deltas of one run with seq in [from, to], as stored JSON text (to be sent on without re-encoding). */
  deltaTexts(executionId: string, runId: string, from: number, to: number): { execution_id: string; run_id: string; seq: number; delta: string }[] {
    return this.#stmts.deltaRange.all(executionId, runId, from, to);
  }

  /** Requests counted in each run's deltas, summed inside SQLite (no delta is decoded here). */
  requestsByRun(executionId: string): Map<string, number> {
    return new Map(this.#stmts.requestsByRun.all(executionId).map((r) => [r.run_id, r.requests ?? 0]));
  }

  /** The SQLite binding in use. */
  get driver(): SqliteDriverName {
    return this.#db.driver;
  }

  transaction<T>(fn: () => T): T {
    return this.#db.transaction(fn);
  }

  close(): void {
    if (this.#db.open) this.#db.close();
  }
}

interface Row {
  execution_id: string;
  term: number;
  version: number;
  status: string;
  created_at: number;
  doc: string;
}

