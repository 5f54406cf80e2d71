// Start a peer inside this process, with a configuration given as an object (same fields as mcp_config.yaml).
import type { z } from 'zod';
import { ConfigSchema, type Config } from '../config/schema.js';
import { ConfigError } from '../config/load.js';
import { issueProblems } from '../plan/problems.js';
import { startPeer as startPeerWith, type Peer } from '../peer.js';
import { createLogger, type Logger } from '../util/log.js';
import { ClusterClient, type ClusterClientOptions } from './cluster-client.js';

/** The configuration as `mcp_config.yaml` holds it; every field is optional and defaulted. */
export type PeerConfigInput = z.input<typeof ConfigSchema>;

export interface StartPeerOptions {
  /** Defaults to a logger at `config.orchestrator.log_level` writing to stderr. */
  logger?: Logger;
  /**
   * Custom health checks run by this peer's node monitor (the seed's `check_database_connection`): each
   * resolves when healthy and rejects with the reason when not; they show under `GET /health`.
   */
  healthChecks?: CustomHealthCheck[];
  /** Options of the `client` the returned peer carries (e.g. an API token). */
  client?: ClusterClientOptions;
}

/** A health check in code. */
export interface CustomHealthCheck {
  name: string;
  /** Seconds between runs (default 10). */
  interval?: number;
  /** Seconds before a run counts as failed (default 5). */
  timeout?: number;
  /** Resolves when healthy, rejects when not; should give up when `signal` aborts. */
  check(signal: AbortSignal): Promise<void>;
}

/** A running peer and a client of its own REST API. */
export interface LibraryPeer extends Peer {
  readonly config: Config;
  /** A `ClusterClient` on this peer's HTTP API: submit, get, cancel executions, list members. */
  readonly client: ClusterClient;
}

/**
 * Starts a peer in this process: it joins the cluster (mDNS and/or `p2p.bootstrap`), serves the REST API,
 * takes part in elections and generates load. Mind `discovery.mdns` (true by default): on a machine where
 * multicast must not leave the host, pass `{ discovery: { mdns: false } }` and a bootstrap list.
 * Throws a `ConfigError` (code `CONFIG_INVALID`) listing every bad field.
 */
export async function startPeer(config: PeerConfigInput = {}, options: StartPeerOptions = {}): Promise<LibraryPeer> {
  const parsed = ConfigSchema.safeParse(config);
  if (!parsed.success) throw new ConfigError(issueProblems(parsed.error, ''));
  const log = options.logger ?? createLogger(parsed.data.orchestrator.log_level);
  const checks = (options.healthChecks ?? []).map((c) => ({
    name: c.name,
    kind: 'function' as const,
    intervalMs: (c.interval ?? 10) * 1_000,
    timeoutMs: (c.timeout ?? 5) * 1_000,
    run: (signal: AbortSignal) => c.check(signal),
  }));
  const peer = await startPeerWith(parsed.data, { log, checks });
  const client = new ClusterClient(peer.httpUrl, options.client);
  return Object.assign(peer, { config: parsed.data, client });
}
