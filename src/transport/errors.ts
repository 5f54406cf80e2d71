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

/** Both transports refuse a frame over the limit the same way. */
export function checkFrameSize(data: Uint8Array, limit: number): void {
  if (data.byteLength > limit) {
    throw new TransportError('TRANSPORT_FRAME_TOO_LARGE', `frame of ${data.byteLength} bytes exceeds ${limit}`);
  }
}
