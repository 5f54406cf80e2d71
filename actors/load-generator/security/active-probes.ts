// Probes that send requests of their own: reflected XSS, SQL injection (error signatures, boolean
// differences, bounded time delays) and permissive CORS. Each proves a finding by a request and the
// evidence in its response; when in doubt it reports nothing.
import { randomBytes } from 'node:crypto';
import type { Finding } from '../../../src/report/security-report.js';
import type { SecurityTask } from '../../../src/plan/security-task.js';
import { headerOf, type ProbeClient, type ProbeResponse } from './probe-client.js';
import { requestFor, type InjectionPoint } from './page.js';

/** Database error messages that should never reach a client. */
export const SQL_ERROR_SIGNATURES: ReadonlyArray<{ db: string; pattern: RegExp }> = [
  { db: 'MySQL', pattern: /you have an error in your sql syntax|warning: mysqli?_|mysql_fetch_|MySqlException/i },
  { db: 'PostgreSQL', pattern: /PG::SyntaxError|unterminated quoted string at or near|syntax error at or near "|PSQLException|pg_query\(\)/i },
  { db: 'SQLite', pattern: /SQLITE_ERROR|SqliteError|sqlite3\.OperationalError|unrecognized token: "|near "[^"]{0,80}": syntax error/i },
  { db: 'SQL Server', pattern: /unclosed quotation mark after the character string|Microsoft OLE DB Provider for SQL Server|SqlException/i },
  { db: 'Oracle', pattern: /ORA-0(?:1756|0933|0921)|quoted string not properly terminated/i },
];

export function newMarker(): string {
  return `mcpx${randomBytes(5).toString('hex')}`;
}

function excerpt(body: string, at: number, span = 80): string {
  const from = Math.max(0, at - span);
  return body.slice(from, at + span).replace(/\s+/g, ' ').trim();
}

function isHtml(res: ProbeResponse): boolean {
  const type = headerOf(res, 'content-type');
  return type === undefined || type.includes('html');
}

/** A marker tag sent in the parameter comes back unescaped in an HTML response. */
export async function probeXss(client: ProbeClient, point: InjectionPoint): Promise<Finding[]> {
  const marker = newMarker();
  const tag = `<${marker}>`;
  const res = await client.send(requestFor(point, `"'>${tag}`));
  const at = res.body.indexOf(tag);
  if (at < 0 || !isHtml(res)) return [];
  return [
    {
      kind: 'xss_reflected',
      scan_type: 'xss',
      severity: 'high',
      url: point.url,
      parameter: point.name,
      title: `Reflected XSS in ${point.where} parameter "${point.name}"`,
      request: res.request,
      evidence: `HTTP ${res.status} ${headerOf(res, 'content-type') ?? ''}: the tag ${tag} came back unescaped: …${excerpt(res.body, at)}…`,
      remediation: `HTML-encode "${point.name}" for the context it is written into (and send a Content-Security-Policy); never write request input into a page raw.`,
    },
  ];
}

/** Removes every way a value may be echoed (raw, HTML-escaped, URL-encoded) so pages that reflect input compare equal. */
function withoutEchoes(body: string, values: readonly string[]): string {
  let out = body;
  for (const v of values) {
    if (v === '') continue;
    const escaped = v.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
    for (const form of [v, escaped, escaped.replace(/'/g, '&#39;'), escaped.replace(/'/g, '&#x27;'), encodeURIComponent(v)]) out = out.split(form).join('');
  }
  return out;
}

function findSignature(body: string): { db: string; at: number } | undefined {
  for (const s of SQL_ERROR_SIGNATURES) {
    const m = s.pattern.exec(body);
    if (m) return { db: s.db, at: m.index };
  }
  return undefined;
}

const SQL_REMEDIATION = (name: string) =>
  `Pass "${name}" to the database as a bound parameter (prepared statement), never by building SQL text; do not show database errors to clients.`;

/** Error signatures, boolean differences, then a bounded time delay; stops at the first proof. */
export async function probeSql(client: ProbeClient, point: InjectionPoint, task: SecurityTask): Promise<Finding[]> {
  const orig = point.params[point.name] ?? '';
  const base = await client.send(requestFor(point, orig));
  const baseSignature = findSignature(base.body);
  const common = { scan_type: 'sql_injection' as const, severity: 'high' as const, url: point.url, parameter: point.name, remediation: SQL_REMEDIATION(point.name) };

  for (const quote of [`'`, `"`]) {
    const res = await client.send(requestFor(point, `${orig}${quote}`));
    const sig = findSignature(res.body);
    if (sig && !baseSignature) {
      return [{ ...common, kind: 'sql_injection_error', title: `SQL error (${sig.db}) from ${point.where} parameter "${point.name}"`, request: res.request, evidence: `HTTP ${res.status}, a ${sig.db} error after appending ${quote}: …${excerpt(res.body, sig.at)}…` }];
    }
  }

  const pairs: Array<[string, string]> = [
    [`${orig}' AND '1'='1`, `${orig}' AND '1'='2`],
    [`${orig} AND 1=1`, `${orig} AND 1=2`],
  ];
  const plain = withoutEchoes(base.body, [orig]);
  for (const [yes, no] of pairs) {
    const t = await client.send(requestFor(point, yes));
    if (t.status !== base.status || withoutEchoes(t.body, [yes, orig]) !== plain) continue; // the true condition must change nothing
    const f = await client.send(requestFor(point, no));
    const fBody = withoutEchoes(f.body, [no, orig]);
    if (f.status === t.status && fBody === plain) continue;
    return [
      {
        ...common,
        kind: 'sql_injection_boolean',
        title: `Boolean-based SQL injection in ${point.where} parameter "${point.name}"`,
        request: f.request,
        evidence: `"${yes}" answers like the original (HTTP ${t.status}, ${t.body.length} bytes); "${no}" answers HTTP ${f.status} with ${f.body.length} bytes`,
      },
    ];
  }

  const delayS = task.sql_delay;
  const slow = delayS * 1000 * 0.9;
  if (base.ms >= (delayS * 1000) / 2) return []; // too slow already to time anything
  const delays = (d: number): string[] => [`${orig}' AND SLEEP(${d}) AND '1'='1`, `${orig} AND SLEEP(${d})`, `${orig}'||pg_sleep(${d})||'`, `${orig}'; WAITFOR DELAY '0:0:${d}'--`];
  const probes = delays(delayS);
  const controls = delays(0);
  for (let i = 0; i < probes.length; i++) {
    const res = await client.send(requestFor(point, probes[i]!));
    if (res.ms < slow) continue;
    const control = await client.send(requestFor(point, controls[i]!));
    if (control.ms >= (delayS * 1000) / 2) continue; // slow anyway: not our delay
    return [
      {
        ...common,
        kind: 'sql_injection_time',
        title: `Time-based SQL injection in ${point.where} parameter "${point.name}"`,
        request: res.request,
        evidence: `asking for a ${delayS}s delay answered in ${Math.round(res.ms)} ms; the same with 0s in ${Math.round(control.ms)} ms; unprobed in ${Math.round(base.ms)} ms`,
      },
    ];
  }
  return [];
}

const PROBE_ORIGIN = 'https://mcpdt-probe.invalid';

/** An arbitrary (or the null) origin is allowed, with credentials. */
export async function probeCors(client: ProbeClient, url: string): Promise<Finding[]> {
  for (const origin of [PROBE_ORIGIN, 'null']) {
    const res = await client.send({ method: 'GET', url, headers: { origin } });
    const allowed = headerOf(res, 'access-control-allow-origin');
    const credentials = (headerOf(res, 'access-control-allow-credentials') ?? '').toLowerCase() === 'true';
    if (allowed !== origin) continue;
    const evidence = `Origin: ${origin} → Access-Control-Allow-Origin: ${allowed}${credentials ? ', Access-Control-Allow-Credentials: true' : ''}`;
    if (credentials) {
      return [
        {
          kind: 'cors_credentials_any_origin',
          scan_type: 'cors',
          severity: 'high',
          url,
          title: `CORS allows ${origin === 'null' ? 'the null origin' : 'any origin'} with credentials`,
          request: res.request,
          evidence,
          remediation: 'Allow only a fixed list of trusted origins; never reflect the Origin header (or allow null) together with Access-Control-Allow-Credentials: true.',
        },
      ];
    }
    return [
      {
        kind: 'cors_reflected_origin',
        scan_type: 'cors',
        severity: 'low',
        url,
        title: 'CORS reflects any origin (without credentials)',
        request: res.request,
        evidence,
        remediation: 'Allow only the origins that need to read these responses.',
      },
    ];
  }
  return [];
}
