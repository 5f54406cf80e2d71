// `/mcp` on the status port: streamable HTTP for both protocol eras (2026-07-28 per request, 2025 stateless).
// Mounted on the router, so its access control (API token, Host, Origin: src/security) runs first.
import { createMcpHandler, InMemoryServerEventBus } from '@modelcontextprotocol/server';
import { toNodeHandler } from '@modelcontextprotocol/node';
import type { Router } from '../http/router.js';
import type { Logger } from '../util/log.js';
import type { ClusterClient } from './cluster-client.js';
import { watchReports } from './report-watch.js';

export const MCP_PATH = '/mcp';

export function mountMcpHttp(router: Router, factory: Parameters<typeof createMcpHandler>[0], cluster: ClusterClient, log: Logger): { close(): Promise<void> } {
  const bus = new InMemoryServerEventBus();
  const handler = createMcpHandler(factory, { bus, onerror: (error) => log.debug('mcp request rejected', { error }) });
  // 2026-07-28 clients listen for report changes (subscriptions/listen); 2025 clients over stateless HTTP cannot.
  const watch = watchReports(cluster, (uri) => handler.notify.resourceUpdated(uri), { active: () => bus.listenerCount > 0, onError: (error) => log.debug('report watch failed', { error }) });
  router.mount(MCP_PATH, toNodeHandler(handler, { onerror: (error: Error) => log.warn('mcp adapter failed', { error }) }));
  return {
    close: async () => {
      watch.stop();
      await handler.close();
    },
  };
}
