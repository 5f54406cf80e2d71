// The live page with an API token: a browser's EventSource cannot send an Authorization header, so the
// page is opened once as /?token=<MCP_API_TOKEN>; the peer answers with a cookie and a redirect to /
// (the token leaves the address bar and never reaches a Referer). The cookie holds a value derived from
// the token, not the token: a stolen cookie does not give the bearer token for other clients.
// HttpOnly keeps it from scripts; SameSite=Strict keeps other sites' requests from carrying it.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { HttpError, type HttpResult, type RequestHead } from '../http/router.js';

export const SESSION_COOKIE = 'mcp_session';
const PURPOSE = 'mcp-distributed-testing live page session v1';

const digest = (text: string): Buffer => createHash('sha256').update(text).digest();

/** Compares in constant time (digests of equal length, whatever the input's length). */
function same(given: string, expectedDigest: Buffer): boolean {
  return timingSafeEqual(digest(given), expectedDigest);
}

/** The named cookie's value in a Cookie header, or undefined. */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

export interface PageSession {
  /** GET / with ?token=: a redirect that sets the cookie; throws 401 for a wrong token. Undefined for any other request. */
  login(head: RequestHead): Exclude<HttpResult, { stream: unknown }> | undefined;
  /** True when the request carries a valid session cookie. */
  accepts(head: RequestHead): boolean;
}

export function pageSession(token: string): PageSession {
  const tokenDigest = digest(token);
  const value = createHmac('sha256', token).update(PURPOSE).digest('base64url');
  const valueDigest = digest(value);
  return {
    login(head) {
      if (head.path !== '/' || (head.method !== 'GET' && head.method !== 'HEAD')) return undefined;
      const given = head.query.get('token');
      if (given === null) return undefined;
      if (!same(given, tokenDigest)) throw new HttpError(401, 'UNAUTHORIZED', 'the token in the page address is not this peer\'s API token (MCP_API_TOKEN)');
      return {
        status: 303,
        text: '',
        contentType: 'text/plain; charset=utf-8',
        headers: { location: '/', 'set-cookie': `${SESSION_COOKIE}=${value}; Path=/; HttpOnly; SameSite=Strict`, 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' },
      };
    },
    accepts(head) {
      const given = cookieValue(head.headers.cookie, SESSION_COOKIE);
      return given !== undefined && same(given, valueDigest);
    },
  };
}
