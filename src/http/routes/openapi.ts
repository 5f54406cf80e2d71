// GET /api/openapi.json: the API's own description (built once).
import { openApiDocument } from '../openapi.js';
import type { Router } from '../router.js';

export function openApiRoutes(router: Router): void {
  let document: Record<string, unknown> | undefined;
  router.on('GET', '/api/openapi.json', () => ({ json: (document ??= openApiDocument()) }));
}
