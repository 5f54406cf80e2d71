// The security probes against a deliberately vulnerable application and its hardened twin (real HTTP
// servers on loopback, a real SQLite behind them): every weakness found, with proof; nothing in the twin.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { McpError } from '../../../src/errors.js';
import { validateSecurityTask, type SecurityTask } from '../../../src/plan/security-task.js';
import { SecurityReportSchema, type SecurityReport } from '../../../src/report/security-report.js';
import { startScan } from '../../../actors/load-generator/security/scan.js';
import type { ProbePorts } from '../../../actors/load-generator/security/probe-client.js';
import { startProbeTarget, type ProbeTarget } from '../../support/probe-target.js';

const ports: ProbePorts = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
  allowTarget: () => undefined,
};

function task(target: string, extra: Record<string, unknown> = {}): SecurityTask {
  return validateSecurityTask({ target, authorized: true, depth: 'normal', rate: 50, sql_delay: 1, ...extra });
}

let vulnerable: ProbeTarget;
let hardened: ProbeTarget;
let found: SecurityReport;
let clean: SecurityReport;

beforeAll(async () => {
  [vulnerable, hardened] = await Promise.all([startProbeTarget({ hardened: false }), startProbeTarget({ hardened: true })]);
  [found, clean] = await Promise.all([startScan(task(vulnerable.url), ports).done, startScan(task(hardened.url), ports).done]);
}, 60_000);
afterAll(async () => {
  await Promise.all([vulnerable?.close(), hardened?.close()]);
});

const byKind = (report: SecurityReport, kind: string) => report.findings.filter((f) => f.kind === kind);

describe('security probes against the vulnerable application', () => {
  it('completes within its budget and the report has the declared shape', () => {
    expect(SecurityReportSchema.parse(found)).toEqual(found);
    expect(found.status).toBe('completed');
    expect(found.requests_sent).toBe(vulnerable.total());
    expect(found.requests_sent).toBeLessThanOrEqual(300);
    expect(found.pages).toEqual(expect.arrayContaining([vulnerable.url, `${vulnerable.url}search?q=hello`, `${vulnerable.url}api/profile`]));
    expect(found.pages.some((p) => p.includes('elsewhere'))).toBe(false); // same origin only
  });

  it('finds the reflected XSS in /search with the request and the unescaped marker', () => {
    const xss = byKind(found, 'xss_reflected');
    expect(xss.map((f) => `${new URL(f.url).pathname}:${f.parameter}`)).toEqual(['/search:q']);
    expect(xss[0]!.severity).toBe('high');
    expect(xss[0]!.request.url).toContain('/search?q=');
    expect(xss[0]!.evidence).toMatch(/<mcpx[0-9a-f]+>/);
    expect(xss[0]!.remediation).toMatch(/encode/i);
  });

  it('finds the SQL injections: error signature in /items, boolean in /item, time in /lookup', () => {
    const sql = found.findings.filter((f) => f.scan_type === 'sql_injection').map((f) => `${f.kind} ${new URL(f.url).pathname}:${f.parameter}`);
    expect(sql.sort()).toEqual(['sql_injection_boolean /item:id', 'sql_injection_error /items:name', 'sql_injection_time /lookup:user']);
    expect(byKind(found, 'sql_injection_error')[0]!.evidence).toMatch(/SQLite/);
    expect(byKind(found, 'sql_injection_time')[0]!.evidence).toMatch(/asking for a 1s delay answered in \d+ ms/);
  });

  it('finds the POST form without a token, the cookie without SameSite, the missing headers and the CORS hole', () => {
    expect(byKind(found, 'csrf_missing_token').map((f) => new URL(f.url).pathname)).toEqual(['/transfer']);
    expect(byKind(found, 'cookie_without_samesite').map((f) => f.parameter)).toEqual(['session']);
    expect(byKind(found, 'missing_security_header').map((f) => f.parameter).sort()).toEqual(['content-security-policy', 'referrer-policy', 'x-content-type-options', 'x-frame-options']);
    const cors = byKind(found, 'cors_credentials_any_origin');
    expect(cors.map((f) => new URL(f.url).pathname)).toEqual(['/api/profile']);
    expect(cors[0]!.request.headers?.origin).toBeDefined();
    expect(cors[0]!.evidence).toContain('Access-Control-Allow-Credentials: true');
    expect(found.counts.high).toBe(found.findings.filter((f) => f.severity === 'high').length);
  });
});

describe('security probes against the hardened twin', () => {
  it('finds nothing', () => {
    expect(clean.status).toBe('completed');
    expect(clean.findings).toEqual([]);
    expect(clean.pages.length).toBe(found.pages.length);
  });
});

describe('politeness and scope', () => {
  it('keeps to max_requests and to the rate', async () => {
    const target = await startProbeTarget({ hardened: true });
    try {
      const started = Date.now();
      const report = await startScan(task(target.url, { rate: 20, max_requests: 10 }), ports).done;
      expect(target.total()).toBe(10);
      expect(report.requests_sent).toBe(10);
      expect(report.note).toMatch(/max_requests \(10\) reached/);
      expect(Date.now() - started).toBeGreaterThanOrEqual(9 * 50 - 5); // 10 requests, 50 ms apart
    } finally {
      await target.close();
    }
  });

  it('depth shallow probes the target page only', async () => {
    const target = await startProbeTarget({ hardened: false });
    try {
      const report = await startScan(task(target.url, { depth: 'shallow', scan_types: ['headers', 'csrf'] }), ports).done;
      expect(report.pages).toEqual([target.url]);
      expect(target.total()).toBe(1);
      expect(new Set(report.findings.map((f) => f.scan_type))).toEqual(new Set(['headers', 'csrf']));
    } finally {
      await target.close();
    }
  });

  it('sends nothing to a target the allow-list refuses', async () => {
    const target = await startProbeTarget({ hardened: false });
    try {
      const refuse: ProbePorts = { ...ports, allowTarget: (url) => { throw new McpError('TARGET_NOT_ALLOWED', `${url} is not allowed`); } };
      const report = await startScan(task(target.url), refuse).done;
      expect(report.status).toBe('failed');
      expect(report.note).toMatch(/not allowed/);
      expect(target.total()).toBe(0);
    } finally {
      await target.close();
    }
  });

  it('refuses a task without authorized: true, naming the field', () => {
    expect(() => validateSecurityTask({ target: 'http://127.0.0.1:1/' })).toThrow(/authorized/);
    expect(() => validateSecurityTask({ target: 'http://127.0.0.1:1/', authorized: false })).toThrow(/authorized: must be true/);
    expect(() => validateSecurityTask({ target: 'ftp://x/', authorized: true, scan_types: ['nope'], depth: 'abyss' })).toThrow(/target[\s\S]*scan_types\[0\][\s\S]*depth/);
  });
});
