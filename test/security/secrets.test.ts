// Secrets in plans on real peers: the target receives them; the API, the SQLite stores (replicas
// included) and the report never hold them, only `***`.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, getJson, startPeerProcess, waitFor, type PeerProcess } from '../../scripts/lib/peer-process.js';
import { redactSecrets, resolvePlanSecrets } from '../../src/security/secrets.js';
import { validatePlan } from '../../src/plan/index.js';

const LITERAL = 'Bearer literal-s3cret-value';
const FROM_ENV = 'env-s3cret-value';
const BODY = 'body-s3cret-value';

let dir: string;
let peers: PeerProcess[] = [];
let server: Server;
let url: string;
const seen: { authorization?: string; key?: string; body: string }[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mcpdt-secrets-'));
  server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8').on('data', (c: string) => (body += c));
    req.on('end', () => {
      seen.push({ authorization: req.headers.authorization, key: req.headers['x-key'] as string | undefined, body });
      res.end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  const ports = [await freePort(), await freePort()];
  peers = await Promise.all(
    ports.map((port, i) =>
      startPeerProcess({ dataDir: join(dir, `p${i}`), p2pPort: port, bootstrap: ports.filter((p) => p !== port).map((p) => `127.0.0.1:${p}`), logLevel: 'warn', env: { SECRET_FOR_TEST: FROM_ENV } }),
    ),
  );
  await waitFor(async () => {
    const all = await Promise.all(peers.map((p) => getJson<{ coordinator: string | null; members: number }>(`${p.httpUrl}/api/health`)));
    return all.every((h) => h.coordinator && h.coordinator === all[0]!.coordinator && h.members === 2);
  }, 20_000, 'a coordinator');
});
afterAll(async () => {
  await Promise.all(peers.map((p) => p.kill('SIGKILL')));
  await new Promise((r) => server.close(r));
  await rm(dir, { recursive: true, force: true });
});

const plan = () => ({
  name: 'secrets',
  tasks: [
    {
      type: 'load_test',
      parameters: {
        targets: [{ url, method: 'POST', headers: { Authorization: { value: LITERAL, secret: true }, 'X-Key': '${env:SECRET_FOR_TEST}' }, body: BODY, secret_body: true }],
        duration: 1,
        base_rps: 10,
      },
    },
  ],
});

async function filesUnder(root: string): Promise<string[]> {
  const entries = await readdir(root, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath ?? (e as unknown as { path: string }).path, e.name));
}

describe('secrets in plans', () => {
  it('reach the target, never the API, the stores, the replicas or the report', async () => {
    const response = await fetch(`${peers[1]!.httpUrl}/api/executions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(plan()) });
    expect(response.status).toBe(201);
    const { execution_id } = (await response.json()) as { execution_id: string };
    const done = await waitFor(async () => {
      const e = await getJson<{ status: string }>(`${peers[0]!.httpUrl}/api/executions/${execution_id}`);
      return e.status === 'completed' ? e : undefined;
    }, 20_000, 'the execution to complete', 200);
    expect(seen.length).toBe(10);
    expect(seen.every((s) => s.authorization === LITERAL && s.key === FROM_ENV && s.body === BODY)).toBe(true);

    for (const peer of peers) {
      const text = JSON.stringify(await getJson(`${peer.httpUrl}/api/executions/${execution_id}`));
      for (const secret of [LITERAL, FROM_ENV, BODY]) expect(text).not.toContain(secret);
      expect(text).toContain('***');
      expect(text).toContain('${env:SECRET_FOR_TEST}');
    }
    expect(JSON.stringify(done)).not.toContain(FROM_ENV);
    // Every byte each peer wrote to its data directory (SQLite file and its WAL).
    const files = await filesUnder(dir);
    expect(files.filter((f) => f.endsWith('store.db')).length).toBe(2);
    for (const file of files) {
      const bytes = await readFile(file);
      for (const secret of [LITERAL, FROM_ENV, BODY]) expect(bytes.includes(secret), `${secret} in ${file}`).toBe(false);
    }
  });

  it('a generator without the variable refuses the plan naming the field', () => {
    const p = validatePlan(plan());
    expect(() => resolvePlanSecrets(p, {})).toThrowError(expect.objectContaining({ code: 'SECRET_UNRESOLVED', problems: [expect.objectContaining({ path: 'tasks[0].parameters.targets[0].headers.X-Key' })] }));
  });

  it('a plan redacted once cannot be run as if its secrets were real', () => {
    const stored = redactSecrets(validatePlan(plan()));
    expect(JSON.stringify(stored)).not.toContain('s3cret');
    expect(() => resolvePlanSecrets(stored, { SECRET_FOR_TEST: FROM_ENV })).toThrowError(expect.objectContaining({ code: 'SECRET_UNRESOLVED' }));
  });

  it('header values with CR or LF are refused with the field', () => {
    const bad = plan();
    (bad.tasks[0]!.parameters.targets[0]!.headers as Record<string, unknown>)['X-Inject'] = 'a\r\nHost: evil';
    expect(() => validatePlan(bad)).toThrowError(expect.objectContaining({ problems: [expect.objectContaining({ path: 'tasks[0].parameters.targets[0].headers.X-Inject' })] }));
  });
});
