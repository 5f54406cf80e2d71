// One peer per data directory: an exclusive SQLite lock on `peer.lock`, held by the live process. The
// kernel drops it when the process ends however it ends, so a killed peer never blocks its restart.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isBusyError, openSqlite, type SqliteDriverChoice } from '../store/sqlite.js';
import { McpError } from '../errors.js';

export const LOCK_FILE = 'peer.lock';
const PID_FILE = 'peer.pid';

export class DataDirLockedError extends McpError {
  override name = 'DataDirLockedError';
  constructor(readonly dir: string, holder: string | undefined) {
    super('DATA_DIR_LOCKED', `the data directory ${dir} is in use by another peer${holder ? ` (pid ${holder})` : ''}: give each peer its own --data-dir`);
  }
}

export interface DataDirLock {
  release(): void;
}

export function lockDataDir(dir: string, driver: SqliteDriverChoice = 'auto'): DataDirLock {
  mkdirSync(dir, { recursive: true });
  const db = openSqlite(join(dir, LOCK_FILE), { driver, busyTimeoutMs: 0 });
  try {
    db.exec('PRAGMA locking_mode = EXCLUSIVE');
    // A write lock taken and kept: in EXCLUSIVE mode it is held until the connection closes.
    db.exec('CREATE TABLE IF NOT EXISTS holder (pid INTEGER)');
    db.exec('BEGIN EXCLUSIVE');
  } catch (error) {
    db.close();
    if (isBusyError(error)) {
      let holder: string | undefined;
      try {
        holder = readFileSync(join(dir, PID_FILE), 'utf8').trim();
      } catch {
        holder = undefined;
      }
      throw new DataDirLockedError(dir, holder);
    }
    throw error;
  }
  writeFileSync(join(dir, PID_FILE), `${process.pid}\n`);
  let released = false;
  return {
    release() {
      if (released) return;
      released = true;
      db.close();
    },
  };
}
