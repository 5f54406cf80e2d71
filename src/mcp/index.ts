// The MCP surface of a peer: one definition served on /mcp (streamable HTTP) and on stdio (`node peer.js mcp`).
import type { Config } from '../config/schema.js';
import type { RawHandler, Router } from '../http/router.js';
import type { Logger } from '../util/log.js';
import type { ClusterClient } from './cluster-client.js';
import { ConfirmationTokens } from './confirmations.js';
import type { Planner } from './dry-run.js';
import { mcpGuardrails } from './guardrails.js';
import type { McpSurface } from './server.js';
import { MCP_PATH } from './path.js';

export type { ClusterClient } from './cluster-client.js';
export { localClusterClient } from './local-client.js';
export { httpClusterClient } from './http-client.js';
export type { McpSurface, ServedEra } from './server.js';
export { MCP_PATH } from './path.js';
export type { Planner } from './dry-run.js';

export function mcpSurface(cluster: ClusterClient, planner: Planner, config: Config, ownPorts: number[], log: Logger): McpSurface {
  return { cluster, planner, guardrails: mcpGuardrails(config, ownPorts), tokens: new ConfirmationTokens(), log };
}

/**
 * Serves the surface on `/mcp` of the status port; returns what closes it. The MCP SDK and the tools'
 * definitions (about 10 MB of heap, 25 MB of a process's memory) load with the first request to /mcp,
 * not at the peer's start: a peer no agent talks to never holds them.
 */
export function mountMcp(router: Router, surface: McpSurface): { close(): Promise<void> } {
  let served: Promise<{ handle: RawHandler; close(): Promise<void> }> | undefined;
  const load = () =>
    (served ??= Promise.all([import('./http.js'), import('./server.js')]).then(([http, server]) => http.mcpHttpHandler(server.mcpServerFactory(surface), surface.cluster, surface.log)));
  router.mount(MCP_PATH, async (req, res) => (await load()).handle(req, res));
  return {
    close: async () => {
      if (served) await (await served).close();
    },
  };
}
