import { describe, expect, test } from 'vitest';
import { ConfirmationTokens, confirmationReasons, DEFAULT_CONFIRM } from '../../src/mcp/confirmations.js';
import type { DryRun } from '../../src/mcp/dry-run.js';
import { validatePlan } from '../../src/plan/index.js';

const dry = (expected: number | null, peak: number | null): DryRun => ({ generators: ['a'], duration_s: 10, expected_total_requests: expected, peak_rps: peak, max_connections: 1, tasks: [] });

describe('confirmation threshold', () => {
  test.each([
    { expected: 100_000, peak: 1_000, reasons: 0 },
    { expected: 100_001, peak: 1_000, reasons: 1 },
    { expected: 100, peak: 1_000.5, reasons: 1 },
    { expected: 200_000, peak: 5_000, reasons: 2 },
    { expected: null, peak: null, reasons: 1 }, // a closed model cannot be bounded
  ])('$expected requests at $peak req/s: $reasons reason(s)', ({ expected, peak, reasons }) => {
    expect(confirmationReasons(dry(expected, peak), DEFAULT_CONFIRM)).toHaveLength(reasons);
  });
});

describe('confirmation tokens', () => {
  const plan = (rps: number) => validatePlan({ name: 'p', tasks: [{ type: 'load_test', parameters: { targets: [{ url: 'http://127.0.0.1:1/' }], duration: 1, base_rps: rps } }] });

  test('a token starts exactly the plan it was issued for, once', () => {
    const tokens = new ConfirmationTokens();
    const { token } = tokens.issue(plan(10));
    expect(tokens.redeem(token, plan(11))).toBe('other_plan');
    expect(tokens.redeem(token, plan(10))).toBe('ok');
    expect(tokens.redeem(token, plan(10))).toBe('unknown');
    expect(tokens.redeem('made-up', plan(10))).toBe('unknown');
  });

  test('a token expires after ten minutes', () => {
    let now = 0;
    const tokens = new ConfirmationTokens(() => now);
    const { token } = tokens.issue(plan(10));
    now = 10 * 60_000;
    expect(tokens.redeem(token, plan(10))).toBe('unknown');
  });
});
