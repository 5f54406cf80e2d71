// GET /metrics (Prometheus text format) and GET /api/metrics (the seed's JSON shape, cluster-wide).
import type { Registry } from 'prom-client';
import { apiMetrics } from '../../metrics/figures.js';
import type { MetricsSources } from '../../metrics/sources.js';
import type { Router } from '../router.js';

/** `registry` is asked for at each scrape: it may be made on the first (see observe.ts). */
export function metricsRoutes(router: Router, registry: () => Registry | Promise<Registry>, sources: MetricsSources): void {
  router.on('GET', '/metrics', async () => {
    sources.feed.poll(Date.now());
    const r = await registry();
    return { text: await r.metrics(), contentType: r.contentType };
  });
  router.on('GET', '/api/metrics', async () => {
    sources.feed.poll(Date.now());
    return { json: await apiMetrics(sources) };
  });
}
