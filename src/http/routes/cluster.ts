// GET /api/health and GET /api/nodes.
import type { Member } from '../../protocol/membership.js';
import type { HealthSource, NodeHealth } from '../../health.js';
import { HttpError, type Router } from '../router.js';
import { quote } from '../../validation.js';

const STATUSES = ['alive', 'suspect', 'dead'];

export interface NodeView {
  node_id: string;
  status: Member['status'];
  http_url: string;
  addresses: string[];
  roles: string[];
  capabilities: string[];
  location: string;
  version: string;
  started_at: string;
  last_seen: string;
  is_self: boolean;
  /** Round trip to this member over libp2p, as last pinged (every 30 s); null for this peer or before the first ping. */
  rtt_ms: number | null;
}

export interface ClusterSource {
  nodeId: string;
  version: string;
  startedAt: number;
  /** Every known member, this peer included. */
  nodes(): Promise<NodeView[]>;
  coordinator(): Promise<{ node_id: string; term: number } | null>;
  health?: HealthSource;
}

export function toNodeView(member: Member, isSelf: boolean, rttMs?: number): NodeView {
  return {
    node_id: member.node_id,
    status: member.status,
    http_url: member.http_url,
    addresses: member.addresses,
    roles: member.roles,
    capabilities: member.capabilities,
    location: member.location,
    version: member.version,
    started_at: new Date(member.started_at).toISOString(),
    last_seen: new Date(member.last_seen).toISOString(),
    is_self: isSelf,
    rtt_ms: rttMs ?? null,
  };
}

export function clusterRoutes(router: Router, source: ClusterSource): void {
  router.on('GET', '/api/health', async () => {
    const [nodes, coordinator] = await Promise.all([source.nodes(), source.coordinator()]);
    return {
      json: {
        status: 'ok',
        node_id: source.nodeId,
        version: source.version,
        uptime_s: Math.round((Date.now() - source.startedAt) / 100) / 10,
        coordinator: coordinator?.node_id ?? null,
        term: coordinator?.term ?? null,
        members: nodes.filter((n) => n.status === 'alive').length,
        ...(source.health ? clusterHealthView(source.health) : {}),
      },
    };
  });

  router.on('GET', '/api/nodes', async (req) => {
    const status = req.query.get('status');
    const capability = req.query.get('capability');
    const location = req.query.get('location');
    if (status && !STATUSES.includes(status)) {
      throw new HttpError(400, 'QUERY_INVALID', `status: must be one of ${STATUSES.join(', ')}, got ${quote(status)}`, [
        { path: 'status', message: `must be one of ${STATUSES.join(', ')}` },
      ]);
    }
    const coordinator = await source.coordinator();
    const health = new Map(source.health?.cluster().nodes.map((h) => [h.node_id, h]));
    const nodes = (await source.nodes()).map((n) => ({ ...n, is_coordinator: n.node_id === coordinator?.node_id, ...healthOf(health.get(n.node_id)) })).filter(
      (n) =>
        (!status || n.status === status) &&
        (!capability || n.capabilities.includes(capability)) &&
        (!location || n.location === location),
    );
    nodes.sort((a, b) => (a.node_id < b.node_id ? -1 : 1));
    return { json: { nodes } };
  });
}

function healthOf(h: NodeHealth | undefined) {
  if (!h) return {};
  const s = h.sample;
  return {
    health: {
      state: h.state,
      score: h.score,
      ...(h.reason ? { reason: h.reason } : {}),
      sampled_at: s ? new Date(s.at).toISOString() : null,
      cpu_percent: s?.cpu_percent ?? null,
      memory_percent: s?.memory_percent ?? null,
      disk_percent: s?.disk_percent ?? null,
      load_average: s?.load_average ?? null,
      event_loop_delay_p99_ms: s?.process.event_loop_delay_p99_ms ?? null,
      active_alerts: s?.active_alerts.length ?? 0,
    },
  };
}

function clusterHealthView(health: HealthSource) {
  const { nodes, ...aggregate } = health.cluster();
  return { node_health: aggregate, health_by_node: Object.fromEntries(nodes.map((n) => [n.node_id, { state: n.state, score: n.score }])) };
}
