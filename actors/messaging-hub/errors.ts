// How a delivery fails, and which failures are worth another attempt.
import { McpError, errorMessage } from '../../src/errors.js';
import { RemoteError, WireError } from '../../src/protocol/frame.js';
import { TransportError } from '../../src/transport/errors.js';
import type { DeliveryMode } from '../../src/messaging.js';

/** The receiver has no handler for the message's kind. */
export const UNKNOWN_KIND = 'HUB_UNKNOWN_KIND';
/** The receiving hub is stopped or restarting. */
export const HUB_UNAVAILABLE = 'HUB_UNAVAILABLE';

export interface FailureDetails {
  peer: string;
  kind: string;
  mode: DeliveryMode;
  attempts: number;
  /** Code of the last failed attempt ('' when no attempt completed). */
  cause_code: string;
}

/** A retrying delivery was not acknowledged before its deadline. */
export class DeadlineExceededError extends McpError {
  override name = 'DeadlineExceededError';
  declare readonly details: FailureDetails;
  constructor(details: FailureDetails, deadlineMs: number, cause: unknown) {
    const last = cause === undefined ? 'no attempt completed' : `last cause ${details.cause_code}: ${errorMessage(cause)}`;
    super(
      'HUB_DEADLINE_EXCEEDED',
      `${details.kind} to ${details.peer} (${details.mode}) not acknowledged within ${deadlineMs} ms after ${details.attempts} attempt(s); ${last}`,
      { cause, details },
    );
  }
}

/** The receiver (or the sender's own transport) refused the message for good. */
export class DeliveryRejectedError extends McpError {
  override name = 'DeliveryRejectedError';
  declare readonly details: FailureDetails;
  constructor(details: FailureDetails, cause: unknown) {
    super('HUB_REJECTED', `${details.kind} to ${details.peer} (${details.mode}) rejected after ${details.attempts} attempt(s): ${details.cause_code}: ${errorMessage(cause)}`, {
      cause,
      details,
    });
  }
}

/** The sending hub stopped (or restarted) before the delivery ended. */
export class HubAbortedError extends McpError {
  override name = 'HubAbortedError';
  constructor(peer: string, kind: string) {
    super('HUB_ABORTED', `messaging hub stopped before ${kind} to ${peer} was acknowledged`);
  }
}

/** The caller asked for something the hub cannot do (e.g. a deadline that is not positive). */
export class InvalidSendError extends McpError {
  override name = 'InvalidSendError';
  constructor(message: string) {
    super('HUB_INVALID_SEND', message);
  }
}

/** The code of a failed attempt: the remote's own code for an error frame. */
export function codeOf(error: unknown): string {
  if (error instanceof RemoteError) return error.remoteCode;
  if (error instanceof McpError) return error.code;
  return 'INTERNAL';
}

// Remote codes that say the same frame will be refused again. WIRE_INVALID_FRAME is among them: our
// own encoder made the frame, so a receiver that cannot read it will not read the next copy either.
const PERMANENT_REMOTE = new Set([UNKNOWN_KIND, 'WIRE_INVALID_FRAME', 'WIRE_UNSUPPORTED_VERSION']);
const PERMANENT_LOCAL = new Set(['TRANSPORT_FRAME_TOO_LARGE', 'TRANSPORT_STOPPED']);

/** Whether another attempt is pointless. Unknown failures are assumed transient. */
export function isPermanent(error: unknown): boolean {
  const code = codeOf(error);
  if (code.startsWith('PERMANENT_')) return true;
  if (error instanceof RemoteError) return PERMANENT_REMOTE.has(code);
  if (error instanceof TransportError) return PERMANENT_LOCAL.has(code);
  return error instanceof WireError; // the reply itself could not be read
}
