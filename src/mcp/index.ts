// The MCP surface of a peer: one definition served on /mcp (streamable HTTP) and on stdio (`node peer.js mcp`).
import type { Config } from '../config/schema.js';
import type { Router } from '../http/router.js';
import type { Logger } from '../util/log.js';
import type { ClusterClient } from './cluster-client.js';
import { ConfirmationTokens } from './confirmations.js';
import type { Planner } from './dry-run.js';
import { mcpGuardrails } from './guardrails.js';
import { mountMcpHttp } from './http.js';
import { mcpServerFactory, type McpSurface } from './server.js';

export type { ClusterClient } from './cluster-client.js';
export { localClusterClient } from './local-client.js';
export { httpClusterClient } from './http-client.js';
export { mcpServerFactory, type McpSurface, type ServedEra } from './server.js';
export { MCP_PATH } from './http.js';
export type { Planner } from './dry-run.js';

export function mcpSurface(cluster: ClusterClient, planner: Planner, config: Config, ownPorts: number[], log: Logger): McpSurface {
  return { cluster, planner, guardrails: mcpGuardrails(config, ownPorts), tokens: new ConfirmationTokens(), log };
}

/** Serves the surface on `/mcp` of the status port; returns what closes it. */
export function mountMcp(router: Router, surface: McpSurface): { close(): Promise<void> } {
  return mountMcpHttp(router, mcpServerFactory(surface), surface.cluster, surface.log);
}
