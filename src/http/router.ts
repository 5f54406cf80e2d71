// A small JSON router over node:http: path parameters, 404 and 405 as JSON, errors as
// `{ error: { code, message, details } }` with the right status.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpError, McpError, ValidationError, errorMessage } from '../errors.js';
import { MAX_FRAME_BYTES } from '../transport/transport.js';
import { MAX_DEPTH, tooDeepAt } from '../validation.js';

export type Method = 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH';

export interface HttpRequest {
  method: string;
  path: string;
  params: Record<string, string>;
  query: URLSearchParams;
  /** The body parsed as JSON (YAML bodies too when the content type says so); throws HttpError 400. */
  json(): Promise<unknown>;
  text(): Promise<string>;
  headers: IncomingMessage['headers'];
}

export type HttpResult =
  | { status?: number; json: unknown; headers?: Record<string, string> }
  | { status?: number; text: string; contentType: string; headers?: Record<string, string> }
  /** A long-lived response (server-sent events): the handler owns `res` from here on. */
  | { stream: (res: ServerResponse, req: IncomingMessage) => void };

export type RouteHandler = (request: HttpRequest) => HttpResult | Promise<HttpResult>;

export { HttpError };

/** What a middleware sees of a request before any route runs: it throws an HttpError to refuse it. */
export interface RequestHead {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
}
/** Throws an HttpError to refuse; returns a result to answer at once instead of any route (e.g. a redirect). */
export type Middleware = (request: RequestHead) => void | Exclude<HttpResult, { stream: unknown }>;

/** A handler that answers on the raw node objects (e.g. a streaming protocol); middlewares still run first. */
export type RawHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

interface Route {
  method: Method;
  segments: string[];
  handler: RouteHandler;
}

/** A plan posted here travels on in one wire frame: a larger body could never be delivered. */
export const MAX_BODY_BYTES = MAX_FRAME_BYTES;

export class Router {
  readonly #routes: Route[] = [];
  readonly #middlewares: Middleware[] = [];
  readonly #mounts: { prefix: string; handler: RawHandler }[] = [];

  /** Runs before every route, including those added later and unknown paths (so access control covers all). */
  use(middleware: Middleware): this {
    this.#middlewares.push(middleware);
    return this;
  }

  /** Hands every request under `prefix` (e.g. `/mcp`) to a raw handler, after the middlewares. */
  mount(prefix: string, handler: RawHandler): this {
    this.#mounts.push({ prefix: prefix.replace(/\/$/, ''), handler });
    return this;
  }

  on(method: Method, pattern: string, handler: RouteHandler): this {
    this.#routes.push({ method, segments: pattern.split('/').filter(Boolean), handler });
    return this;
  }

  async dispatch(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://local');
    const segments = url.pathname.split('/').filter(Boolean).map(safeDecode);
    // Every request walks the routes: no object per route that does not match.
    const matching: { route: Route; params: Record<string, string> }[] = [];
    for (const route of this.#routes) {
      const params = route.segments.length === segments.length ? match(route.segments, segments) : undefined;
      if (params) matching.push({ route, params });
    }
    let result: HttpResult;
    try {
      const head: RequestHead = { method: req.method ?? 'GET', path: url.pathname, query: url.searchParams, headers: req.headers };
      for (const middleware of this.#middlewares) {
        const answer = middleware(head);
        if (answer) return send(res, answer, req.method === 'HEAD');
      }
      const mount = this.#mounts.find((m) => url.pathname === m.prefix || url.pathname.startsWith(`${m.prefix}/`));
      if (mount) return await mount.handler(req, res);
      if (matching.length === 0) throw new HttpError(404, 'NOT_FOUND', `no route for ${url.pathname}`);
      const found = matching.find((m) => m.route.method === req.method || (req.method === 'HEAD' && m.route.method === 'GET'));
      if (!found) {
        const allow = [...new Set(matching.map((m) => m.route.method))].join(', ');
        throw new HttpError(405, 'METHOD_NOT_ALLOWED', `${req.method} is not allowed on ${url.pathname} (allowed: ${allow})`, { allow });
      }
      result = await found.route.handler(makeRequest(req, url, found.params!));
    } catch (error) {
      result = errorResult(error);
    }
    if ('stream' in result) result.stream(res, req);
    else send(res, result, req.method === 'HEAD');
  }
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function match(pattern: string[], path: string[]): Record<string, string> | undefined {
  if (pattern.length !== path.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern[i]!;
    if (p.startsWith(':')) params[p.slice(1)] = path[i]!;
    else if (p !== path[i]) return undefined;
  }
  return params;
}

function makeRequest(req: IncomingMessage, url: URL, params: Record<string, string>): HttpRequest {
  let body: Promise<string> | undefined;
  const text = () => (body ??= readBody(req));
  return {
    method: req.method ?? 'GET',
    path: url.pathname,
    params,
    query: url.searchParams,
    headers: req.headers,
    text,
    async json() {
      const raw = await text();
      if (raw.trim() === '') throw new HttpError(400, 'BODY_REQUIRED', 'a JSON body is required');
      let parsed: unknown;
      try {
        parsed = JSON.parse(raw);
      } catch (error) {
        throw new HttpError(400, 'BODY_INVALID_JSON', `the body is not valid JSON: ${errorMessage(error).slice(0, 120)}`);
      }
      const deep = tooDeepAt(parsed);
      if (deep !== undefined) throw new HttpError(400, 'BODY_TOO_DEEP', `the body is nested deeper than ${MAX_DEPTH} levels at ${deep}`, [{ path: deep, message: `nested deeper than ${MAX_DEPTH} levels` }]);
      return parsed;
    },
  };
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new HttpError(413, 'BODY_TOO_LARGE', `the body exceeds ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export function errorResult(error: unknown): HttpResult {
  if (error instanceof HttpError) {
    const headers: Record<string, string> = {};
    if (error.status === 405) headers.allow = (error.details as { allow: string }).allow;
    return { status: error.status, json: { error: { code: error.code, message: error.message, details: error.details ?? null } }, headers };
  }
  if (error instanceof ValidationError) {
    return { status: 400, json: { error: { code: error.code, message: error.message, details: error.problems } } };
  }
  if (error instanceof McpError) {
    return { status: 500, json: { error: { code: error.code, message: error.message, details: error.details ?? null } } };
  }
  return { status: 500, json: { error: { code: 'INTERNAL', message: errorMessage(error), details: null } } };
}

function send(res: ServerResponse, result: Exclude<HttpResult, { stream: unknown }>, headOnly: boolean): void {
  const isJson = 'json' in result;
  const payload = isJson ? JSON.stringify(result.json) : result.text;
  res.writeHead(result.status ?? 200, {
    'content-type': isJson ? 'application/json; charset=utf-8' : result.contentType,
    'content-length': Buffer.byteLength(payload),
    ...result.headers,
  });
  res.end(headOnly ? undefined : payload);
}
