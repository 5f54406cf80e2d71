// The status port's access control on a real peer: the token on every route family, JSON-only mutations,
// cross-origin and foreign-Host requests refused; a peer reachable from the network refuses to start unguarded.
import { request } from 'node:http';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PEER_JS, startPeerProcess, type PeerProcess } from '../../scripts/lib/peer-process.js';
import { startCountingTarget, type CountingTarget } from '../support/counting-target.js';

const TOKEN = 'test-token-0123456789abcdef';
let dir: string;
let peer: PeerProcess;
let target: CountingTarget;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mcpdt-access-'));
  target = await startCountingTarget();
  peer = await startPeerProcess({ dataDir: join(dir, 'peer'), logLevel: 'warn', env: { MCP_API_TOKEN: TOKEN } });
});
afterAll(async () => {
  await peer.kill('SIGKILL');
  await target.close();
  await rm(dir, { recursive: true, force: true });
});

interface Answer {
  status: number;
  body: { error?: { code: string; message: string } };
}

/** node:http, not fetch: fetch will not let a test set Host. */
function call(method: string, path: string, headers: Record<string, string> = {}, body?: string): Promise<Answer> {
  const url = new URL(path, peer.httpUrl);
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers: { ...(body !== undefined ? { 'content-length': String(Buffer.byteLength(body)) } : {}), ...headers } }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (c: string) => (text += c));
      // The page and /metrics answer HTML and text: only JSON answers carry an error body.
      const json = String(res.headers['content-type'] ?? '').includes('json');
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: json && text !== '' ? (JSON.parse(text) as Answer['body']) : {} }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const auth = { authorization: `Bearer ${TOKEN}` };
const json = { 'content-type': 'application/json' };
const plan = () => JSON.stringify({ name: 'x', tasks: [{ type: 'load_test', parameters: { targets: [{ url: target.url }], duration: 1, base_rps: 5 } }] });

const FAMILIES: Array<[string, string, string?]> = [
  ['GET', '/api/nodes'],
  ['GET', '/api/executions'],
  ['GET', '/api/executions/nope'],
  ['DELETE', '/api/executions/nope'],
  ['POST', '/api/executions', '{}'],
  ['GET', '/load/status'],
  ['POST', '/load/start', '{}'],
  ['POST', '/load/stop/nope'],
  ['GET', '/load/metrics/nope'],
  ['GET', '/'],
  ['POST', '/mcp', '{}'],
  ['GET', '/api/metrics'],
  ['GET', '/no/such/route'],
];

describe('API token', () => {
  it.each(FAMILIES)('%s %s needs the token', async (method, path, body) => {
    const without = await call(method, path, body !== undefined ? json : {}, body);
    expect(without.status).toBe(401);
    expect(without.body.error?.code).toBe('UNAUTHORIZED');
    const wrong = await call(method, path, { ...(body !== undefined ? json : {}), authorization: `Bearer ${TOKEN}x` }, body);
    expect(wrong.status).toBe(401);
    const withToken = await call(method, path, { ...auth, ...(body !== undefined ? json : {}) }, body);
    expect(withToken.status).not.toBe(401);
  });

  it('GET /api/health and /metrics need no token', async () => {
    expect((await call('GET', '/api/health')).status).toBe(200);
    expect((await call('GET', '/metrics')).status).not.toBe(401);
  });
});

describe('requests that change the peer', () => {
  it('a text/plain POST is refused and sends nothing', async () => {
    const answer = await call('POST', '/api/executions', { ...auth, 'content-type': 'text/plain' }, plan());
    expect(answer).toMatchObject({ status: 415, body: { error: { code: 'UNSUPPORTED_MEDIA_TYPE' } } });
    const form = await call('POST', '/load/start', { ...auth, 'content-type': 'application/x-www-form-urlencoded' }, 'a=1');
    expect(form.status).toBe(415);
  });

  it('a cross-origin POST is refused, a same-origin one is not', async () => {
    const cross = await call('POST', '/load/start', { ...auth, ...json, origin: 'http://evil.example' }, plan());
    expect(cross).toMatchObject({ status: 403, body: { error: { code: 'CROSS_ORIGIN' } } });
    const nullOrigin = await call('POST', '/load/start', { ...auth, ...json, origin: 'null' }, plan());
    expect(nullOrigin.status).toBe(403);
    const site = await call('DELETE', '/api/executions/nope', { ...auth, 'sec-fetch-site': 'cross-site' });
    expect(site.status).toBe(403);
    const same = await call('GET', '/api/executions', { ...auth, origin: peer.httpUrl });
    expect(same.status).toBe(200);
    expect(target.count()).toBe(0);
  });

  it('a Host naming another site (DNS rebinding) is refused', async () => {
    const answer = await call('GET', '/api/executions', { ...auth, host: 'attacker.example:8080' });
    expect(answer).toMatchObject({ status: 421, body: { error: { code: 'HOST_NOT_ALLOWED' } } });
    expect((await call('GET', '/api/health', { host: 'attacker.example' })).status).toBe(421);
    expect((await call('GET', '/api/health', { host: `localhost:${new URL(peer.httpUrl).port}` })).status).toBe(200);
  });
});

function startExpectingRefusal(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [PEER_JS, '--data-dir', join(dir, `refused-${Math.random()}`), '--http-port', '0', '--p2p-port', '0', ...args], {
      env: { ...process.env, MCP_DISCOVERY_MDNS: 'false', ...env },
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    });
  });
}

describe('starting unguarded', () => {
  it('a status port off loopback without a token is refused, saying why', async () => {
    const { code, stderr } = await startExpectingRefusal(['--http-host', '0.0.0.0'], { MCP_CLUSTER_KEY: 'ab'.repeat(32) });
    expect(code).toBe(2);
    expect(stderr).toContain('orchestrator.host');
    expect(stderr).toContain('MCP_API_TOKEN');
  });
});
