// What roles need of the messaging hub: send a direct message with a delivery mode, and handle a kind.
export const DELIVERY_MODES = ['fire-and-forget', 'at-least-once', 'exactly-once', 'reliable'] as const;
export type DeliveryMode = (typeof DELIVERY_MODES)[number];

export interface Messenger {
  /** Resolves with the receiver's answer; rejects with an McpError when the mode gives up. */
  send(to: string, kind: string, payload: unknown, mode: DeliveryMode, options?: { deadlineMs?: number }): Promise<unknown>;
  on(kind: string, handler: (payload: unknown, from: string) => unknown | Promise<unknown>): void;
}

/** A failure that no retry can fix: the receiver refused the message for good. */
export function isFinalFailure(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (code.startsWith('PERMANENT_') || code === 'HUB_REJECTED');
}
