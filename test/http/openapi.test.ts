// The OpenAPI description and the routes the peer registers cannot drift: every `router.on(...)` in the
// source is described, every described operation is routed on a live peer, and the peer serves the document.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../scripts/lib/peer-process.js';
import { openApiDocument } from '../../src/http/openapi.js';
import { silentLogger, startPeer, type LibraryPeer } from '../../src/index.js';

const doc = openApiDocument() as { paths: Record<string, Record<string, unknown>> };
const METHODS = ['get', 'post', 'put', 'delete', 'patch'];
const described = Object.entries(doc.paths).flatMap(([path, item]) =>
  Object.keys(item)
    .filter((k) => METHODS.includes(k))
    .map((m) => `${m.toUpperCase()} ${path}`),
);

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = join(dir, name);
    return statSync(full).isDirectory() ? sourceFiles(full) : name.endsWith('.ts') ? [full] : [];
  });
}

/** Every route registered in src/ and actors/, in OpenAPI's spelling (`:id` → `{id}`). */
function registered(): string[] {
  const found = new Set<string>();
  for (const file of [...sourceFiles(join(REPO_ROOT, 'src')), ...sourceFiles(join(REPO_ROOT, 'actors'))]) {
    for (const [, method, path] of readFileSync(file, 'utf8').matchAll(/\.on\(\s*'(GET|POST|PUT|DELETE|PATCH)',\s*'([^']+)'/g)) {
      found.add(`${method} ${path!.replace(/:(\w+)/g, '{$1}')}`);
    }
    // A mounted handler (the MCP server) serves its prefix; it is described by its POST.
    if (/\.mount\(MCP_PATH/.test(readFileSync(file, 'utf8'))) found.add('POST /mcp');
  }
  return [...found].sort();
}

let peer: LibraryPeer;
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mcpdt-openapi-'));
  peer = await startPeer({ orchestrator: { port: 0 }, p2p: { port: 0 }, discovery: { mdns: false }, node: { data_dir: dir } }, { logger: silentLogger });
});
afterAll(async () => {
  await peer?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('OpenAPI', () => {
  it('is OpenAPI 3.1 and describes exactly the routes the source registers', () => {
    expect(doc).toMatchObject({ openapi: '3.1.0' });
    expect(registered().length).toBeGreaterThan(5);
    expect([...described].sort()).toEqual(registered());
  });

  it('is served at GET /api/openapi.json', async () => {
    const response = await fetch(`${peer.httpUrl}/api/openapi.json`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual(JSON.parse(JSON.stringify(doc)));
  });

  it('every described operation is routed on a live peer (no 404 NOT_FOUND, no 405)', async () => {
    for (const op of described) {
      const [method, path] = op.split(' ') as [string, string];
      const url = peer.httpUrl + path.replace(/\{\w+\}/g, 'no-such-id');
      const response = await fetch(url, { method, ...(method === 'POST' ? { body: '{}', headers: { 'content-type': 'application/json' } } : {}) });
      expect(response.status, op).not.toBe(405);
      if (!response.headers.get('content-type')?.startsWith('application/json')) {
        await response.body?.cancel(); // a page or an event stream: routed, since 404s answer JSON
        continue;
      }
      const body = (await response.json()) as { error?: { code: string; message: string } };
      // /assets/{name} answers 404 for a name it lacks, with its own message rather than "no route".
      expect(body.error?.message ?? '', op).not.toMatch(/^no route for/);
    }
  });
});
