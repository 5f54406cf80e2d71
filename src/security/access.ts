// Who may use the status port: a bearer token on every route but the public ones, JSON only on mutating
// routes, and Host/Origin checks so a web page (CSRF) or a rebound DNS name cannot drive a local peer.
import { createHash, timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';
import { HttpError, type Middleware, type RequestHead } from '../http/router.js';
import { pageSession } from './page-session.js';

/** Routes anyone may read: liveness probes and Prometheus scrapes. */
export const PUBLIC_PATHS: ReadonlySet<string> = new Set(['/api/health', '/metrics']);
const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const WITH_BODY = new Set(['POST', 'PUT', 'PATCH']);

export interface AccessOptions {
  /** Bearer token; unset: no token is asked. */
  token?: string;
  /** The configured status host (orchestrator.host): a Host header naming it is accepted. */
  statusHost: string;
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

/** Host names a browser may legitimately use for this peer: IP literals (DNS rebinding needs a name), localhost, the configured host. */
function hostAccepted(hostHeader: string, statusHost: string): boolean {
  let hostname: string;
  try {
    hostname = new URL(`http://${hostHeader}`).hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  } catch {
    return false;
  }
  return isIP(hostname) !== 0 || hostname === 'localhost' || hostname === statusHost.toLowerCase();
}

function checkHost(head: RequestHead, statusHost: string): void {
  const host = head.headers.host;
  if (host !== undefined && !hostAccepted(host, statusHost)) {
    throw new HttpError(421, 'HOST_NOT_ALLOWED', `the Host header ${JSON.stringify(host.slice(0, 64))} does not name this peer; use its address or set orchestrator.host to that name`);
  }
}

function checkToken(head: RequestHead, expected: Buffer): void {
  const header = head.headers.authorization ?? '';
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!match || !timingSafeEqual(digest(match[1]!), expected)) {
    throw new HttpError(401, 'UNAUTHORIZED', 'this route needs the API token: send "Authorization: Bearer <MCP_API_TOKEN>" (in a browser, open /?token=<MCP_API_TOKEN> once)');
  }
}

/** A browser's cross-site request carries an Origin (or Sec-Fetch-Site): it must be this very origin. */
function checkOrigin(head: RequestHead): void {
  const origin = head.headers.origin;
  const site = head.headers['sec-fetch-site'];
  if (site === 'cross-site' || site === 'same-site') throw new HttpError(403, 'CROSS_ORIGIN', `a ${site} request may not change this peer`);
  if (origin === undefined) return;
  let same = false;
  try {
    same = origin !== 'null' && new URL(origin).host === (head.headers.host ?? '').toLowerCase();
  } catch {
    same = false;
  }
  if (!same) throw new HttpError(403, 'CROSS_ORIGIN', `requests from origin ${JSON.stringify(origin.slice(0, 64))} may not change this peer`);
}

function checkContentType(head: RequestHead): void {
  const type = head.headers['content-type'];
  const hasBody = head.headers['transfer-encoding'] !== undefined || Number(head.headers['content-length'] ?? 0) > 0;
  if (type === undefined ? hasBody : !/^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i.test(type)) {
    throw new HttpError(415, 'UNSUPPORTED_MEDIA_TYPE', `a request that changes this peer must be application/json${type ? `, got ${JSON.stringify(type.slice(0, 64))}` : ''}`);
  }
}

/** The router middleware: public paths need nothing but a valid Host; everything else the token (or the page's session cookie) when one is set. */
export function accessControl(options: AccessOptions): Middleware {
  const expected = options.token === undefined ? undefined : digest(options.token);
  const session = options.token === undefined ? undefined : pageSession(options.token);
  return (head) => {
    checkHost(head, options.statusHost);
    const isPublic = PUBLIC_PATHS.has(head.path) && (head.method === 'GET' || head.method === 'HEAD');
    if (!isPublic && expected && session) {
      const login = session.login(head);
      if (login) return login;
      // The live page's requests (EventSource included) carry the session cookie instead of a header.
      if (!session.accepts(head)) checkToken(head, expected);
    }
    if (MUTATING.has(head.method)) checkOrigin(head);
    if (WITH_BODY.has(head.method)) checkContentType(head);
  };
}
