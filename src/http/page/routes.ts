// The live page on the status port: GET / (the page), GET /assets/:name (its files), GET /api/events
// (server-sent events), GET /api/live (the events' snapshot alone). Plain router routes, so whatever middleware the router applies covers them.
import { HttpError, type Router } from '../router.js';
import { asset } from './assets.js';
import type { LiveHub } from './live-hub.js';

/** Files the page may ask for (index.html is served at / only). */
const PUBLIC = new Set(['app.js', 'charts.js', 'dom.js', 'app.css', 'uPlot.min.js', 'uPlot.min.css']);

export function pageRoutes(router: Router, hub: LiveHub): void {
  router.on('GET', '/', () => {
    const page = asset('index.html')!;
    return { text: page.body, contentType: page.contentType, headers: { 'cache-control': 'no-cache' } };
  });
  router.on('GET', '/assets/:name', (req) => {
    const name = req.params.name!;
    const found = PUBLIC.has(name) ? asset(name) : undefined;
    if (!found) throw new HttpError(404, 'NOT_FOUND', `no asset ${name}`);
    return { text: found.body, contentType: found.contentType, headers: { 'cache-control': 'public, max-age=3600' } };
  });
  router.on('GET', '/api/events', () => ({ stream: (res, req) => hub.connect(res, req) }));
  router.on('GET', '/api/live', async () => ({ json: await hub.snapshot(), headers: { 'cache-control': 'no-store' } }));
}
