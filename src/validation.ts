// Turns zod issues into path-named problems (`targets[1].url: ...`).
import type { z } from 'zod';
import { ValidationError, type Problem } from './errors.js';

export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out;
}

export function problemsOf(error: z.ZodError, prefix: readonly PropertyKey[] = []): Problem[] {
  return error.issues.map((issue) => ({ path: formatPath([...prefix, ...issue.path]), message: issue.message }));
}

/** Parse or throw a ValidationError listing every problem. */
export function parseOrThrow<T extends z.ZodType>(schema: T, value: unknown, code: string, what: string): z.infer<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new ValidationError(code, what, problemsOf(result.error));
}

/** Input quoted in an error message: at most a short prefix, so an answer never echoes a large or secret input. */
export const QUOTE_MAX = 40;
export function quote(value: unknown, max = QUOTE_MAX): string {
  const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
  const cut = [...text].slice(0, max).join('');
  return JSON.stringify(cut.length < text.length ? `${cut}…` : cut);
}

/** Objects and arrays nested deeper than this are refused: no plan needs it, and deep input costs stack and memory. */
export const MAX_DEPTH = 32;

interface DepthNode {
  v: unknown;
  depth: number;
  key?: PropertyKey;
  parent?: DepthNode;
}

/** The path of the first value nested deeper than `max`, or undefined. Iterative: deep input cannot overflow the stack here. */
export function tooDeepAt(value: unknown, max = MAX_DEPTH): string | undefined {
  const stack: DepthNode[] = [{ v: value, depth: 0 }];
  while (stack.length > 0) {
    const node = stack.pop()!;
    const v = node.v;
    if (v === null || typeof v !== 'object') continue;
    if (node.depth >= max) {
      const path: PropertyKey[] = [];
      for (let n: DepthNode | undefined = node; n?.key !== undefined; n = n.parent) path.unshift(n.key);
      return formatPath(path) || '(root)';
    }
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) if (v[i] !== null && typeof v[i] === 'object') stack.push({ v: v[i], depth: node.depth + 1, key: i, parent: node });
    } else {
      for (const k in v) {
        const x = (v as Record<string, unknown>)[k];
        if (x !== null && typeof x === 'object') stack.push({ v: x, depth: node.depth + 1, key: k, parent: node });
      }
    }
  }
  return undefined;
}
