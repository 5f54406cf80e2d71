import { McpError } from '../errors.js';

export type TransportErrorCode =
  | 'TRANSPORT_TIMEOUT'
  | 'TRANSPORT_UNREACHABLE'
  | 'TRANSPORT_NO_HANDLER'
  | 'TRANSPORT_FRAME_TOO_LARGE'
  | 'TRANSPORT_STOPPED'
  | 'TRANSPORT_FAILED';

export class TransportError extends McpError {
  override name = 'TransportError';
  declare readonly code: TransportErrorCode;

  constructor(code: TransportErrorCode, message: string, cause?: unknown) {
    super(code, message, { cause });
  }
}
