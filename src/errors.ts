// One base error with a stable `code`; callers match on the code, never on message text.

export interface Problem {
  /** Dotted path of the offending field, e.g. `tasks[0].parameters.targets[1].url`. */
  path: string;
  message: string;
}

export class McpError extends Error {
  override name = 'McpError';
  readonly code: string;
  readonly details?: unknown;

  constructor(code: string, message: string, options: { cause?: unknown; details?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.details = options.details;
  }
}

/** An error that is an HTTP answer: `{ error: { code, message, details } }` with its status. The server throws it
 * to answer (src/http), and the library's client raises its subclass `ApiError` when a peer answered with one. */
export class HttpError extends McpError {
  override name = 'HttpError';
  constructor(
    readonly status: number,
    code: string,
    message: string,
    details?: unknown,
  ) {
    super(code, message, { details });
  }
}

/** Bad input: every problem found, each with the path of its field. */
export class ValidationError extends McpError {
  override name = 'ValidationError';
  readonly problems: Problem[];

  constructor(code: string, what: string, problems: Problem[]) {
    super(code, `${what}:\n${problems.map((p) => `  ${p.path || '(root)'}: ${p.message}`).join('\n')}`, {
      details: problems,
    });
    this.problems = problems;
  }
}

/** Thrown by a message handler for a message that no retry can fix (a retrying sender gives up at once). */
export class PermanentError extends McpError {
  override name = 'PermanentError';
  constructor(code: `PERMANENT_${string}`, message: string, options: { cause?: unknown; details?: unknown } = {}) {
    super(code, message, options);
  }
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
