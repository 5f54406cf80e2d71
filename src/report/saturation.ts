// A report with each generator's saturation: `saturation` per share, and a warning in the summary when
// any share was measured on an overloaded client.
import type { Saturation } from '../health.js';

const WARNING_PREFIX = 'latency was measured on an overloaded client';

export function withSaturation<R extends { summary: object }>(report: R, shares: readonly Saturation[]): R & { saturation?: Saturation[] } {
  if (shares.length === 0) return report;
  const warning = saturationWarning(shares);
  return { ...report, summary: { ...report.summary, saturated: warning !== null, warnings: warning === null ? [] : [warning] }, saturation: [...shares] };
}

/** The warning a report's summary carries when any share was saturated. */
export function saturationWarning(shares: readonly Saturation[]): string | null {
  const hot = shares.filter((s) => s.saturated);
  if (hot.length === 0) return null;
  return `${WARNING_PREFIX}: ${hot.map((s) => `${s.node_id} (${s.reasons.join('; ')})`).join(', ')}`;
}
