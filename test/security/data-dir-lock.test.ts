// One peer per data directory: a second exits at once naming it; a killed peer's lock never blocks a restart.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PEER_JS, startPeerProcess, type PeerProcess } from '../../scripts/lib/peer-process.js';
import { lockDataDir } from '../../src/security/data-dir-lock.js';

let dir: string;
const started: PeerProcess[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mcpdt-lock-'));
});
afterAll(async () => {
  await Promise.all(started.map((p) => p.kill('SIGKILL')));
  await rm(dir, { recursive: true, force: true });
});

function second(dataDir: string): Promise<{ code: number | null; stderr: string; ms: number }> {
  const t0 = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [PEER_JS, '--data-dir', dataDir, '--http-port', '0', '--p2p-port', '0'], { env: { ...process.env, MCP_DISCOVERY_MDNS: 'false' } });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr, ms: Date.now() - t0 });
    });
  });
}

describe('data directory lock', () => {
  it('a second peer on the same data directory exits at once naming it; after a kill -9 the directory is free again', async () => {
    const dataDir = join(dir, 'shared');
    const first = await startPeerProcess({ dataDir, logLevel: 'warn' });
    started.push(first);
    const refused = await second(dataDir);
    expect(refused.code).toBe(1);
    expect(refused.ms).toBeLessThan(10_000);
    expect(refused.stderr).toContain(dataDir);
    expect(refused.stderr).toContain(`pid ${first.child.pid}`);

    await first.kill('SIGKILL');
    const again = await startPeerProcess({ dataDir, logLevel: 'warn' });
    started.push(again);
    expect(again.id).toBe(first.id); // the same identity, restarted at once
  });

  it('holds within one process too, and is free once released', () => {
    const dataDir = join(dir, 'in-process');
    const lock = lockDataDir(dataDir);
    expect(() => lockDataDir(dataDir)).toThrowError(expect.objectContaining({ code: 'DATA_DIR_LOCKED' }));
    lock.release();
    lockDataDir(dataDir).release();
  });
});
