// Path-named problems from zod issues; an unknown field is reported at its own path so typos are easy to find.
import type { z } from 'zod';
import type { Problem } from '../errors.js';
import { formatPath } from '../validation.js';

export const PLAN_INVALID = 'PLAN_INVALID';

/** `prefix` + `rest` as one path: `tasks[0].parameters` + `targets[1].url`. */
export function joinPath(prefix: string, rest: string): string {
  if (prefix === '') return rest;
  if (rest === '') return prefix;
  return rest.startsWith('[') ? prefix + rest : `${prefix}.${rest}`;
}

export function pathOf(prefix: string, path: readonly PropertyKey[]): string {
  return joinPath(prefix, formatPath(path));
}

export function issueProblems(error: z.ZodError, prefix: string): Problem[] {
  const problems: Problem[] = [];
  for (const issue of error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) problems.push({ path: pathOf(prefix, [...issue.path, key]), message: 'unknown field' });
    } else {
      problems.push({ path: pathOf(prefix, issue.path), message: issue.message });
    }
  }
  return problems;
}
