// Wire frames: versioned JSON objects `{ v, type, ... }`, validated with zod at the boundary.
import { z } from 'zod';
import { McpError, ValidationError } from '../errors.js';
import { problemsOf } from '../validation.js';

export const WIRE_VERSION = 1;

export const ErrorFrame = z.object({
  v: z.literal(WIRE_VERSION),
  type: z.literal('error'),
  code: z.string(),
  message: z.string(),
});
export type ErrorFrame = z.infer<typeof ErrorFrame>;

/** A frame that failed to decode or validate. */
export class WireError extends ValidationError {
  override name = 'WireError';
}

/** The remote side answered with an error frame. */
export class RemoteError extends McpError {
  override name = 'RemoteError';
  constructor(readonly remoteCode: string, message: string) {
    super('REMOTE_ERROR', `${remoteCode}: ${message}`);
  }
}

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

export type FrameBody = { readonly type: string; readonly [field: string]: unknown };

export function encodeFrame(frame: FrameBody): Uint8Array {
  return encoder.encode(JSON.stringify({ v: WIRE_VERSION, ...frame }));
}

export function encodeError(code: string, message: string): Uint8Array {
  return encodeFrame({ type: "error", code, message });
}

function parseJson(data: Uint8Array): unknown {
  try {
    return JSON.parse(decoder.decode(data));
  } catch (error) {
    throw new WireError('WIRE_INVALID_FRAME', 'invalid frame', [{ path: '', message: `not UTF-8 JSON (${(error as Error).message})` }]);
  }
}

/** Decode and validate one frame against `schema`. Throws WireError naming the bad fields. */
export function decodeFrame<S extends z.ZodType>(data: Uint8Array, schema: S): z.infer<S> {
  return validFrame(parseJson(data), schema);
}

/** Decode a reply: an error frame becomes a RemoteError. The bytes are parsed once. */
export function decodeReply<S extends z.ZodType>(data: Uint8Array, schema: S): z.infer<S> {
  const raw = parseJson(data) as { type?: unknown } | null;
  if (raw && raw.type === 'error') {
    const err = ErrorFrame.safeParse(raw);
    if (err.success) throw new RemoteError(err.data.code, err.data.message);
  }
  return validFrame(raw, schema);
}

function validFrame<S extends z.ZodType>(raw: unknown, schema: S): z.infer<S> {
  const version = (raw as { v?: unknown } | null)?.v;
  if (version !== WIRE_VERSION) {
    throw new WireError('WIRE_UNSUPPORTED_VERSION', 'unsupported frame', [
      { path: 'v', message: `expected wire version ${WIRE_VERSION}, got ${JSON.stringify(version)}` },
    ]);
  }
  const result = schema.safeParse(raw);
  if (!result.success) throw new WireError('WIRE_INVALID_FRAME', 'invalid frame', problemsOf(result.error));
  return result.data;
}
