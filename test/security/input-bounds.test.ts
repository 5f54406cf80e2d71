// Input bounds: nesting depth, quoted input kept short, body size tied to the wire frame.
import { describe, expect, it } from 'vitest';
import { validatePlan, validateLoadTask } from '../../src/plan/index.js';
import { MAX_DEPTH, quote, tooDeepAt } from '../../src/validation.js';
import { MAX_BODY_BYTES } from '../../src/http/router.js';
import { MAX_FRAME_BYTES } from '../../src/transport/transport.js';

function nested(depth: number): unknown {
  let v: unknown = 1;
  for (let i = 0; i < depth; i++) v = { a: v };
  return v;
}

describe('input bounds', () => {
  it('finds the first path nested too deep, without recursion', () => {
    expect(tooDeepAt(nested(MAX_DEPTH))).toBeUndefined();
    expect(tooDeepAt(nested(MAX_DEPTH + 1))).toBe(Array(MAX_DEPTH).fill('a').join('.'));
    let deep: unknown = [];
    for (let i = 0; i < 200_000; i++) deep = [deep];
    expect(tooDeepAt(deep)).toMatch(/^\[0\]/);
  });

  it('a plan nested too deep is refused with the field', () => {
    const plan = { name: 'x', tasks: [{ type: 'load_test', parameters: { targets: [{ url: 'http://127.0.0.1:1/', body: nested(40) }], duration: 1, base_rps: 1 } }] };
    expect(() => validatePlan(plan)).toThrowError(expect.objectContaining({ code: 'PLAN_INVALID', problems: [expect.objectContaining({ path: expect.stringMatching(/^tasks\[0\]\.parameters\.targets\[0\]\.body\.a/) })] }));
    expect(() => validateLoadTask({ targets: [{ url: 'http://127.0.0.1:1/', body: nested(40) }], duration: 1, base_rps: 1 }, 'parameters')).toThrowError(
      expect.objectContaining({ problems: [expect.objectContaining({ path: expect.stringMatching(/^parameters\.targets\[0\]\.body\.a/) })] }),
    );
  });

  it('error messages quote at most a short prefix of the input', () => {
    const long = 'x'.repeat(10_000);
    expect(quote(long).length).toBeLessThan(50);
    try {
      validatePlan({ name: 'x', tasks: [{ type: long, parameters: {} }] });
      expect.unreachable();
    } catch (error) {
      expect((error as Error).message.length).toBeLessThan(300);
    }
    try {
      validateLoadTask({ targets: [{ url: long }], duration: long, base_rps: 1, thresholds: [long] });
      expect.unreachable();
    } catch (error) {
      expect((error as Error).message).not.toContain('x'.repeat(100));
    }
  });

  it('the REST body limit is not larger than the wire frame', () => {
    expect(MAX_BODY_BYTES).toBeLessThanOrEqual(MAX_FRAME_BYTES);
  });
});
