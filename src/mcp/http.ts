// `/mcp` on the status port: streamable HTTP for both protocol eras (2026-07-28 per request, 2025 stateless).
// Mounted on the router, so its access control (API token, Host, Origin: src/security) runs first.
import { createMcpHandler, InMemoryServerEventBus } from '@modelcontextprotocol/server';
import { toNodeHandler } from '@modelcontextprotocol/node';
import type { RawHandler } from '../http/router.js';
import type { Logger } from '../util/log.js';
import type { ClusterClient } from './cluster-client.js';
import { watchReports } from './report-watch.js';

export { MCP_PATH } from './path.js';

/** The handler of `/mcp` (index.ts mounts it, loading this module and the SDK on the first request). */
export function mcpHttpHandler(factory: Parameters<typeof createMcpHandler>[0], cluster: ClusterClient, log: Logger): { handle: RawHandler; close(): Promise<void> } {
  const bus = new InMemoryServerEventBus();
  const handler = createMcpHandler(factory, { bus, onerror: (error) => log.debug('mcp request rejected', { error }) });
  // 2026-07-28 clients listen for report changes (subscriptions/listen); 2025 clients over stateless HTTP cannot.
  const watch = watchReports(cluster, (uri) => handler.notify.resourceUpdated(uri), { active: () => bus.listenerCount > 0, onError: (error) => log.debug('report watch failed', { error }) });
  return {
    handle: toNodeHandler(handler, { onerror: (error: Error) => log.warn('mcp adapter failed', { error }) }),
    close: async () => {
      watch.stop();
      await handler.close();
    },
  };
}
