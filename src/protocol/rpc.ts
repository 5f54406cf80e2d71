// Typed request/reply and pub/sub over a Transport: frames are validated on the way in.
import type { z } from 'zod';
import { McpError, errorMessage } from '../errors.js';
import type { Logger } from '../util/log.js';
import type { RequestOptions, Transport, Unsubscribe } from '../transport/transport.js';
import { decodeFrame, decodeReply, encodeError, encodeFrame, type FrameBody } from './frame.js';

/** Serve `protocol`: invalid frames get an error reply; a handler's McpError keeps its code. */
export function serve<S extends z.ZodType>(
  transport: Transport,
  protocol: string,
  schema: S,
  handler: (request: z.infer<S>, from: string) => FrameBody | Promise<FrameBody>,
): void {
  transport.handle(protocol, async ({ from, data }) => {
    let request: z.infer<S>;
    try {
      request = decodeFrame(data, schema);
    } catch (error) {
      return encodeError(error instanceof McpError ? error.code : 'WIRE_INVALID_FRAME', errorMessage(error));
    }
    try {
      return encodeFrame(await handler(request, from));
    } catch (error) {
      return encodeError(error instanceof McpError ? error.code : 'INTERNAL', errorMessage(error));
    }
  });
}

export async function call<S extends z.ZodType>(
  transport: Transport,
  peer: string,
  protocol: string,
  request: FrameBody,
  replySchema: S,
  options?: RequestOptions,
): Promise<z.infer<S>> {
  const reply = await transport.request(peer, protocol, encodeFrame(request), options);
  return decodeReply(reply, replySchema);
}

export function publishFrame(transport: Transport, topic: string, frame: FrameBody): Promise<void> {
  return transport.publish(topic, encodeFrame(frame));
}

/** Subscribe to validated frames; invalid ones are logged and dropped. */
export function subscribeFrames<S extends z.ZodType>(
  transport: Transport,
  topic: string,
  schema: S,
  handler: (frame: z.infer<S>, from: string) => void,
  log: Logger,
): Unsubscribe {
  return transport.subscribe(topic, ({ from, data }) => {
    let frame: z.infer<S>;
    try {
      frame = decodeFrame(data, schema);
    } catch (error) {
      log.warn('dropped invalid frame', { topic, from, error });
      return;
    }
    handler(frame, from);
  });
}
