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
