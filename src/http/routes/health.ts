// GET /health (this peer's checks and figures) and GET /api/alerts (?active=true).
import type { HealthSource } from '../../health.js';
import { HttpError, type Router } from '../router.js';

export function healthRoutes(router: Router, source: { nodeId: string; health: HealthSource }): void {
  router.on('GET', '/health', () => {
    const { health, nodeId } = source;
    const sample = health.latestSamples().get(nodeId) ?? null;
    const state = sample?.state ?? 'unknown';
    return {
      // A load balancer reads the status code: 503 only when this node is critical.
      status: state === 'critical' ? 503 : 200,
      json: {
        node_id: nodeId,
        status: state,
        score: sample?.score ?? null,
        sampled_at: sample ? new Date(sample.at).toISOString() : null,
        checks: sample?.checks ?? [],
        metrics: sample
          ? {
              cpu_percent: sample.cpu_percent,
              cpu_cores: sample.cpu_cores,
              memory_percent: sample.memory_percent,
              memory_used_bytes: sample.memory_used_bytes,
              memory_total_bytes: sample.memory_total_bytes,
              disk_percent: sample.disk_percent,
              disk_used_bytes: sample.disk_used_bytes,
              disk_total_bytes: sample.disk_total_bytes,
              network_rx_bytes_per_s: sample.network_rx_bytes_per_s,
              network_tx_bytes_per_s: sample.network_tx_bytes_per_s,
              load_average: sample.load_average,
              process: sample.process,
            }
          : null,
        active_alerts: health.alerts(true).filter((a) => a.node === nodeId),
      },
    };
  });

  router.on('GET', '/api/alerts', (req) => {
    const active = req.query.get('active');
    if (active !== null && active !== 'true' && active !== 'false') {
      throw new HttpError(400, 'QUERY_INVALID', `active: must be true or false, got ${JSON.stringify(active)}`, [{ path: 'active', message: 'must be true or false' }]);
    }
    const node = req.query.get('node');
    const alerts = source.health.alerts(active === 'true').filter((a) => !node || a.node === node);
    return {
      json: {
        alerts: alerts.map((a) => ({ ...a, raised_at: new Date(a.raised_at).toISOString(), resolved_at: a.resolved_at === null ? null : new Date(a.resolved_at).toISOString() })),
      },
    };
  });
}
