// Damaged election state: a peer that cannot trust its vote does not start, and says which file.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqlite } from '../../src/store/sqlite.js';
import { afterEach, describe, expect, it } from 'vitest';
import { startPeerProcess } from '../../scripts/lib/peer-process.js';
import { Store, STORE_FILE } from '../../src/store/store.js';
import { loadElectionState, saveElectionState } from '../../src/store/election-state.js';

describe('election state in the store', () => {
  let dir = '';
  afterEach(async () => rm(dir, { recursive: true, force: true }));

  it('reads back what was saved, and a fresh voter when nothing was', async () => {
    dir = await mkdtemp(join(tmpdir(), 'mcpdt-election-'));
    const store = Store.open(dir);
    expect(loadElectionState(store)).toEqual({ term: 0, votedFor: null });
    saveElectionState(store, { term: 7, votedFor: 'peer-a' });
    expect(loadElectionState(store)).toEqual({ term: 7, votedFor: 'peer-a' });
    store.close();
  });

  it.each([
    ['not JSON', '{"term": 3, "votedFor'],
    ['a negative term', '{"term": -1, "votedFor": null}'],
    ['a vote that is not an id', '{"term": 2, "votedFor": 42}'],
  ])('refuses %s with STORE_ELECTION_CORRUPT naming the file', async (_what, value) => {
    dir = await mkdtemp(join(tmpdir(), 'mcpdt-election-'));
    Store.open(dir).close();
    const db = openSqlite(join(dir, STORE_FILE));
    db.prepare("INSERT INTO kv (key, value) VALUES ('election', ?)").run(value);
    db.close();
    const store = Store.open(dir);
    expect(() => loadElectionState(store)).toThrowError(expect.objectContaining({ code: 'STORE_ELECTION_CORRUPT', message: expect.stringContaining(join(dir, STORE_FILE)) }));
    store.close();
  });

  it('a peer whose election state is damaged exits at once with the file named, instead of running half-dead', async () => {
    dir = await mkdtemp(join(tmpdir(), 'mcpdt-election-'));
    Store.open(dir).close();
    const db = openSqlite(join(dir, STORE_FILE));
    db.prepare("INSERT INTO kv (key, value) VALUES ('election', 'garbage')").run();
    db.close();
    const started = Date.now();
    await expect(startPeerProcess({ dataDir: dir, startTimeoutMs: 15_000 })).rejects.toThrow(/exited with 1[\s\S]*election state in \S*store\.db[\s\S]*is damaged/);
    expect(Date.now() - started).toBeLessThan(15_000);
  });
});
