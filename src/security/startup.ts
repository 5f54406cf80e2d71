// Refuse to start a peer reachable from the network with nothing guarding it, unless told --insecure.
import type { Config } from '../config/schema.js';
import type { Problem } from '../errors.js';
import { isLoopback } from '../guardrails/addresses.js';

export interface StartupReport {
  /** Reasons not to start (empty: start). */
  problems: Problem[];
  /** What --insecure let through, to log. */
  warnings: string[];
}

export function startupChecks(config: Config, hasClusterKey: boolean): StartupReport {
  const problems: Problem[] = [];
  const warnings: string[] = [];
  const { insecure, api_token } = config.security;
  const exposedStatus = !isLoopback(config.orchestrator.host) && api_token === undefined;
  const exposedP2p = !isLoopback(config.p2p.host) && !hasClusterKey;
  if (exposedStatus) {
    const why = `the status port would listen on ${config.orchestrator.host} without an API token: anyone who reaches it could start load; set MCP_API_TOKEN (--api-token), listen on 127.0.0.1, or pass --insecure`;
    if (insecure) warnings.push(`--insecure: ${why}`);
    else problems.push({ path: 'orchestrator.host', message: why });
  }
  if (exposedP2p) {
    const why = `libp2p would listen on ${config.p2p.host} without a cluster key: any host could join the cluster and receive its plans; set MCP_CLUSTER_KEY or --cluster-key-file (make one with 'node peer.js keygen'), listen on 127.0.0.1, or pass --insecure`;
    if (insecure) warnings.push(`--insecure: ${why}`);
    else problems.push({ path: 'p2p.host', message: why });
  }
  return { problems, warnings };
}
