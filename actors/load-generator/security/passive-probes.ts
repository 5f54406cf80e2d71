// Probes that need no request of their own: they read the responses the crawl already got.
// Security headers (on the target's page), state-changing forms without an anti-forgery token, and
// cookies without SameSite.
import type { Finding } from '../../../src/report/security-report.js';
import { headerOf, headerValues, type ProbeResponse } from './probe-client.js';
import type { PageForm } from './page.js';

const TOKEN_FIELD = /csrf|xsrf|authenticity|_token|token|nonce/i;
const SESSION_COOKIE = /sess|sid|auth|token|login|jwt/i;

function isHtml(res: ProbeResponse): boolean {
  return (headerOf(res, 'content-type') ?? '').includes('html');
}

interface HeaderRule {
  header: string;
  present(res: ProbeResponse): boolean;
  severity: Finding['severity'];
  title: string;
  remediation: string;
  applies?(res: ProbeResponse, https: boolean): boolean;
}

const HEADER_RULES: HeaderRule[] = [
  {
    header: 'content-security-policy',
    present: (r) => headerOf(r, 'content-security-policy') !== undefined,
    severity: 'medium',
    title: 'No Content-Security-Policy',
    remediation: "Send a Content-Security-Policy (at least default-src 'self'; object-src 'none'; base-uri 'self') to limit what injected markup can load and run.",
    applies: (r) => isHtml(r),
  },
  {
    header: 'strict-transport-security',
    present: (r) => headerOf(r, 'strict-transport-security') !== undefined,
    severity: 'medium',
    title: 'No Strict-Transport-Security on HTTPS',
    remediation: 'Send Strict-Transport-Security: max-age=31536000; includeSubDomains on every HTTPS response.',
    applies: (_r, https) => https,
  },
  {
    header: 'x-content-type-options',
    present: (r) => (headerOf(r, 'x-content-type-options') ?? '').toLowerCase().includes('nosniff'),
    severity: 'low',
    title: 'No X-Content-Type-Options: nosniff',
    remediation: 'Send X-Content-Type-Options: nosniff so browsers do not guess content types.',
  },
  {
    header: 'x-frame-options',
    present: (r) => headerOf(r, 'x-frame-options') !== undefined || /frame-ancestors/i.test(headerOf(r, 'content-security-policy') ?? ''),
    severity: 'medium',
    title: 'Framing not restricted (no frame-ancestors, no X-Frame-Options)',
    remediation: "Send Content-Security-Policy: frame-ancestors 'self' (or X-Frame-Options: DENY) against clickjacking.",
    applies: (r) => isHtml(r),
  },
  {
    header: 'referrer-policy',
    present: (r) => headerOf(r, 'referrer-policy') !== undefined,
    severity: 'low',
    title: 'No Referrer-Policy',
    remediation: 'Send Referrer-Policy: strict-origin-when-cross-origin (or stricter) so URLs do not leak to other sites.',
  },
];

/** Missing security headers on one response. */
export function headerFindings(res: ProbeResponse): Finding[] {
  const https = res.request.url.startsWith('https:');
  return HEADER_RULES.filter((rule) => (rule.applies?.(res, https) ?? true) && !rule.present(res)).map((rule) => ({
    kind: 'missing_security_header',
    scan_type: 'headers',
    severity: rule.severity,
    url: res.request.url,
    parameter: rule.header,
    title: rule.title,
    request: res.request,
    evidence: `HTTP ${res.status}; response headers: ${Object.keys(res.headers).sort().join(', ') || '(none)'}`,
    remediation: rule.remediation,
  }));
}

/** POST forms without a hidden anti-forgery token field. */
export function csrfFormFindings(res: ProbeResponse, forms: readonly PageForm[]): Finding[] {
  return forms
    .filter((f) => f.method === 'POST' && !f.fields.some((x) => x.type === 'hidden' && TOKEN_FIELD.test(x.name) && x.value !== ''))
    .map((f) => ({
      kind: 'csrf_missing_token',
      scan_type: 'csrf',
      severity: 'medium',
      url: f.action,
      title: 'State-changing form without an anti-forgery token',
      request: res.request,
      evidence: `form method=POST action=${f.action} on ${res.request.url} has fields [${f.fields.map((x) => `${x.name}:${x.type}`).join(', ')}] and no hidden token`,
      remediation: 'Add a per-session anti-forgery token to every state-changing form and check it on the server (or use SameSite=Strict/Lax session cookies plus an Origin check).',
    }));
}

/** Cookies set without a SameSite attribute (or SameSite=None without Secure). */
export function cookieFindings(res: ProbeResponse): Finding[] {
  const out: Finding[] = [];
  for (const cookie of headerValues(res, 'set-cookie')) {
    const [pair = '', ...attrs] = cookie.split(';').map((s) => s.trim());
    const name = pair.split('=')[0] ?? pair;
    const sameSite = attrs.find((a) => /^samesite=/i.test(a));
    const secure = attrs.some((a) => /^secure$/i.test(a));
    const none = sameSite !== undefined && /=\s*none$/i.test(sameSite);
    if (sameSite !== undefined && !(none && !secure)) continue;
    out.push({
      kind: 'cookie_without_samesite',
      scan_type: 'csrf',
      severity: SESSION_COOKIE.test(name) ? 'medium' : 'low',
      url: res.request.url,
      parameter: name,
      title: none ? `Cookie ${name} is SameSite=None without Secure` : `Cookie ${name} has no SameSite attribute`,
      request: res.request,
      evidence: `Set-Cookie: ${cookie}`,
      remediation: `Set ${name} with SameSite=Lax (or Strict), Secure and HttpOnly, so other sites cannot send it with forged requests.`,
    });
  }
  return out;
}
