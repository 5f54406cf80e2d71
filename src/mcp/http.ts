// `/mcp` on the status port: streamable HTTP for both protocol eras (2026-07-28 per request, 2025 stateless),
// behind an Origin check (only localhost's pages), a Host check when listening on loopback (DNS rebinding),
// and the API token when one is set.
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createMcpHandler, InMemoryServerEventBus, localhostAllowedHostnames, localhostAllowedOrigins, validateHostHeader, validateOriginHeader } from '@modelcontextprotocol/server';
import { toNodeHandler } from '@modelcontextprotocol/node';
import type { Router } from '../http/router.js';
import type { Logger } from '../util/log.js';
import type { ClusterClient } from './cluster-client.js';
import { watchReports } from './report-watch.js';

export const MCP_PATH = '/mcp';

export interface McpHttpOptions {
  /** Required as `Authorization: Bearer <token>` when set. */
  token?: string | undefined;
  /** The status port's host: on loopback the Host header must name loopback too. */
  listenHost: string;
  log: Logger;
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|localhost)$/;

function reject(res: ServerResponse, status: number, message: string, headers: Record<string, string> = {}): void {
  const body = JSON.stringify({ jsonrpc: '2.0', id: null, error: { code: -32000, message } });
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...headers });
  res.end(body);
}

function tokenMatches(header: string | undefined, token: string): boolean {
  const given = Buffer.from(/^Bearer (.+)$/i.exec(header ?? '')?.[1] ?? '');
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export function mountMcpHttp(router: Router, factory: Parameters<typeof createMcpHandler>[0], cluster: ClusterClient, options: McpHttpOptions): { close(): Promise<void> } {
  const bus = new InMemoryServerEventBus();
  const handler = createMcpHandler(factory, { bus, onerror: (error) => options.log.debug('mcp request rejected', { error }) });
  // 2026-07-28 clients listen for report changes (subscriptions/listen); 2025 clients over stateless HTTP cannot.
  const watch = watchReports(cluster, (uri) => handler.notify.resourceUpdated(uri), { active: () => bus.listenerCount > 0, onError: (error) => options.log.debug('report watch failed', { error }) });
  const serve = toNodeHandler(handler, { onerror: (error: Error) => options.log.warn('mcp adapter failed', { error }) });
  const origins = localhostAllowedOrigins();
  const checkHost = LOOPBACK.test(options.listenHost);
  router.mount(MCP_PATH, async (req: IncomingMessage, res: ServerResponse) => {
    const origin = validateOriginHeader(req.headers.origin, origins);
    if (!origin.ok) return reject(res, 403, `origin ${req.headers.origin} is not allowed`);
    if (checkHost && !validateHostHeader(req.headers.host, localhostAllowedHostnames()).ok) return reject(res, 403, `host ${req.headers.host} is not allowed`);
    if (options.token !== undefined && !tokenMatches(req.headers.authorization, options.token)) {
      return reject(res, 401, 'a bearer token is required (Authorization: Bearer <MCP_API_TOKEN>)', { 'www-authenticate': 'Bearer' });
    }
    await serve(req, res);
  });
  return {
    close: async () => {
      watch.stop();
      await handler.close();
    },
  };
}
