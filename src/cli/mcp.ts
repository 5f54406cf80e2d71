// `node peer.js mcp [--peer URL]`: an MCP server on stdio. Without --peer it joins the cluster as a peer of its
// own; with it, it speaks to a running peer's REST API. stdout carries only protocol frames: logs go to stderr.
import { serveStdio } from '@modelcontextprotocol/server/stdio';
import type { Config } from '../config/schema.js';
import { tcpPorts } from '../guardrails/index.js';
import type { McpServer } from '@modelcontextprotocol/server';
import { httpClusterClient, mcpSurface, type ServedEra } from '../mcp/index.js';
import { mcpServerFactory } from '../mcp/server.js';
import { watchReports } from '../mcp/report-watch.js';
import type { Logger } from '../util/log.js';
import { EXIT } from './exit-codes.js';

const STOP_DEADLINE_MS = 2_000;

export async function runMcpStdio(config: Config, peerUrl: string | undefined, log: Logger): Promise<number> {
  // Whatever a dependency prints must not corrupt the protocol stream.
  console.log = console.info = console.debug = console.error;
  process.on('unhandledRejection', (error) => log.error('unhandled rejection', { error }));
  let stopPeer: (() => Promise<void>) | undefined;
  let surface;
  const { startPeer, planner } = await import('../peer.js');
  if (peerUrl !== undefined) {
    try {
      new URL(peerUrl);
    } catch {
      process.stderr.write(`--peer: not a URL: ${peerUrl}\n`);
      return EXIT.INVALID;
    }
    surface = mcpSurface(httpClusterClient(peerUrl, { ...(config.security.api_token ? { token: config.security.api_token } : {}) }), planner, config, [], log.child('mcp'));
  } else {
    let peer;
    try {
      peer = await startPeer(config, { log, ownsProcess: true });
    } catch (error) {
      log.error('cannot start the peer', { error });
      return 1;
    }
    log.info('mcp on stdio, joined the cluster', { peer: peer.id, status: peer.httpUrl });
    stopPeer = () => peer.stop();
    surface = mcpSurface(peer.mcpClient, planner, config, [new URL(peer.httpUrl).port, ...tcpPorts(peer.addresses())].map(Number), log.child('mcp'));
  }
  // Report updates: a 2026-07-28 connection filters them by its listen subscriptions; a 2025 one gets those it subscribed to.
  const instances: { server: McpServer; era: ServedEra }[] = [];
  const subscribed = new Set<string>();
  const factory = mcpServerFactory(surface, (instance, era) => {
    if (era === 'legacy') {
      instance.server.setRequestHandler('resources/subscribe', (request) => (subscribed.add(request.params.uri), {}));
      instance.server.setRequestHandler('resources/unsubscribe', (request) => (subscribed.delete(request.params.uri), {}));
    }
    instances.push({ server: instance, era });
  });
  const watch = watchReports(
    surface.cluster,
    (uri) => {
      for (const { server: instance, era } of instances) {
        if (instance.isConnected() && (era === 'modern' || subscribed.has(uri))) instance.server.sendResourceUpdated({ uri }).catch(() => undefined);
      }
    },
    { active: () => instances.length > 0 },
  );
  const server = serveStdio(factory, { onerror: (error) => log.debug('mcp stdio error', { error }) });

  const reason = await new Promise<string>((resolve) => {
    process.stdin.once('end', () => resolve('stdin closed'));
    process.stdin.once('close', () => resolve('stdin closed'));
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
  log.info('stopping', { reason });
  const deadline = new Promise<void>((resolve) => setTimeout(resolve, STOP_DEADLINE_MS).unref());
  watch.stop();
  await Promise.race([(async () => {
    await server.close().catch(() => undefined);
    await stopPeer?.();
  })(), deadline]);
  return EXIT.OK;
}
