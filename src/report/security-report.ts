// The report of a security_test: what was probed and every finding, each with the request that proves
// it, the evidence from the response and a remediation line. Declared once as zod schemas (the report
// crosses the API and, in a final results delta, the wire); the types are inferred from them.
import { z } from 'zod';
import { DEPTHS, SCAN_TYPES } from '../plan/security-task.js';

export const SEVERITIES = ['high', 'medium', 'low', 'info'] as const;
export type Severity = (typeof SEVERITIES)[number];

export const FINDING_KINDS = [
  'xss_reflected',
  'sql_injection_error',
  'sql_injection_boolean',
  'sql_injection_time',
  'csrf_missing_token',
  'cookie_without_samesite',
  'missing_security_header',
  'cors_credentials_any_origin',
  'cors_reflected_origin',
] as const;
export type FindingKind = (typeof FINDING_KINDS)[number];

export const ProbeRequestSchema = z.object({
  method: z.string(),
  url: z.string(),
  headers: z.record(z.string(), z.string()).optional(),
  body: z.string().optional(),
});
export type ProbeRequest = z.infer<typeof ProbeRequestSchema>;

export const FindingSchema = z.object({
  kind: z.enum(FINDING_KINDS),
  scan_type: z.enum(SCAN_TYPES),
  severity: z.enum(SEVERITIES),
  /** The page or endpoint affected. */
  url: z.string(),
  /** The query or form field, the header or the cookie concerned. */
  parameter: z.string().optional(),
  title: z.string(),
  request: ProbeRequestSchema,
  /** What in the response proves it: an excerpt, a header, a timing. */
  evidence: z.string(),
  remediation: z.string(),
});
export type Finding = z.infer<typeof FindingSchema>;

export const SecurityReportSchema = z.object({
  target: z.string(),
  scan_types: z.array(z.enum(SCAN_TYPES)),
  depth: z.enum(DEPTHS),
  status: z.enum(['completed', 'stopped', 'failed']),
  /** Why the scan ended early (request budget spent, stopped, an error). */
  note: z.string().optional(),
  started_at: z.string(),
  finished_at: z.string(),
  duration_s: z.number(),
  pages: z.array(z.string().max(8_192)).max(1_000),
  requests_sent: z.number().int(),
  counts: z.record(z.enum(SEVERITIES), z.number().int()),
  findings: z.array(FindingSchema).max(5_000),
});
export type SecurityReport = z.infer<typeof SecurityReportSchema>;

const RANK: Record<Severity, number> = { high: 0, medium: 1, low: 2, info: 3 };

/** Findings ordered by severity, then kind and url; duplicates (same kind, url and parameter) kept once. */
export function orderFindings(findings: readonly Finding[]): Finding[] {
  const seen = new Set<string>();
  const unique = findings.filter((f) => {
    const key = `${f.kind}|${f.url}|${f.parameter ?? ''}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  return unique.sort((a, b) => RANK[a.severity] - RANK[b.severity] || a.kind.localeCompare(b.kind) || a.url.localeCompare(b.url));
}

export function severityCounts(findings: readonly Finding[]): Record<Severity, number> {
  const counts: Record<Severity, number> = { high: 0, medium: 0, low: 0, info: 0 };
  for (const f of findings) counts[f.severity]++;
  return counts;
}
