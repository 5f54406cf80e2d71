// Durations in plans: a number of seconds, or a string such as "500ms", "4s", "2m", "1m30s".
import { z } from 'zod';
import { quote } from '../validation.js';

const UNIT_SECONDS: Record<string, number> = { us: 1e-6, µs: 1e-6, ms: 1e-3, s: 1, m: 60, h: 3600 };
const WHOLE = /^(?:\d+(?:\.\d+)?(?:us|\u00b5s|ms|s|m|h))+$/;
const PART = /(\d+(?:\.\d+)?)(us|\u00b5s|ms|s|m|h)/g;
const BARE = /^\d+(?:\.\d+)?$/;

/** Seconds for a duration, or undefined when it is not one. */
export function parseDuration(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const text = value.trim().replace(/\s+/g, '');
  if (BARE.test(text)) return Number(text);
  if (!WHOLE.test(text)) return undefined;
  let seconds = 0;
  for (const [, amount, unit] of text.matchAll(PART)) seconds += Number(amount) * UNIT_SECONDS[unit!]!;
  return seconds;
}

/** A duration field, in seconds once parsed. */
export function durationSchema(opts: { min?: number; max?: number; positive?: boolean } = {}) {
  const { min = 0, max = Number.MAX_VALUE, positive = false } = opts;
  return z
    .union([z.number(), z.string()], { error: 'expected a duration: seconds as a number, or a string such as 500ms, 4s, 2m' })
    .transform((value, ctx) => {
      const seconds = parseDuration(value);
      if (seconds === undefined) {
        ctx.addIssue({ code: 'custom', message: `${quote(value)} is not a duration (use seconds, or 500ms, 4s, 2m, 1m30s)` });
        return z.NEVER;
      }
      if (positive && seconds <= 0) {
        ctx.addIssue({ code: 'custom', message: 'must be greater than 0' });
        return z.NEVER;
      }
      if (seconds < min || seconds > max) {
        ctx.addIssue({ code: 'custom', message: `must be between ${min} s and ${max} s` });
        return z.NEVER;
      }
      return seconds;
    });
}
