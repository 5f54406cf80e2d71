// The status port of a starting peer: health answers at once and says "starting", every other route 503
// PEER_STARTING, access control as after the start; the peer's own router then takes over the same port.
import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { Router } from '../../src/http/router.js';
import { startStatusServer, type StatusServer } from '../../src/http/server.js';
import { startingRouter } from '../../src/http/starting.js';
import { silentLogger } from '../../src/util/log.js';

let server: StatusServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const open = async (token?: string) => {
  server = await startStatusServer(startingRouter({ statusHost: '127.0.0.1', ...(token ? { token } : {}) }, Date.now()), '127.0.0.1', 0, silentLogger);
  return server;
};

/** Status code of a GET with a Host header of our choosing (fetch sets its own). */
const statusWithHost = (url: string, host: string) =>
  new Promise<number>((resolve, reject) => {
    const req = request(url, { headers: { host } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });

describe('the status port while the peer starts', () => {
  it('GET /api/health answers 200, status "starting", no node id, no members', async () => {
    const s = await open();
    const response = await fetch(`${s.url}/api/health`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ status: 'starting', node_id: null, coordinator: null, members: 0 });
  });

  it('every other route answers 503 PEER_STARTING with Retry-After, whatever the method', async () => {
    const s = await open();
    for (const [method, path] of [['GET', '/api/nodes'], ['POST', '/api/executions'], ['GET', '/metrics'], ['POST', '/mcp']] as const) {
      const response = await fetch(`${s.url}${path}`, { method, headers: { 'content-type': 'application/json' }, ...(method === 'POST' ? { body: '{}' } : {}) });
      expect(response.status, `${method} ${path}`).toBe(503);
      expect(response.headers.get('retry-after')).toBe('1');
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe('PEER_STARTING');
    }
  });

  it('keeps the access rules: a foreign Host is refused, a token is asked on all but the public routes', async () => {
    const s = await open('secret');
    expect(await statusWithHost(`${s.url}/api/health`, 'attacker.example')).toBe(421);
    expect((await fetch(`${s.url}/api/health`)).status).toBe(200);
    expect((await fetch(`${s.url}/api/nodes`)).status).toBe(401);
  });

  it('hands the port to the peer\'s own router once it is up', async () => {
    const s = await open();
    const own = new Router().on('GET', '/api/health', () => ({ json: { status: 'ok' } }));
    s.route(own);
    expect(await (await fetch(`${s.url}/api/health`)).json()).toEqual({ status: 'ok' });
    expect((await fetch(`${s.url}/api/nodes`)).status).toBe(404);
  });
});
