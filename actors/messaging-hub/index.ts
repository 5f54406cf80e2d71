// The messaging hub's public surface.
export { messagingHub } from './hub.js';
export { send, hubStats, register, type SendOptions } from './send.js';
export {
  HUB_PROTOCOL,
  DELIVERY_MODES,
  type DeliveryMode,
  type DeliveryReport,
  type HubHandler,
  type HubHandlers,
  type HubMessage,
  type SendOutcome,
} from './messages.js';
export { DEFAULT_MESSAGE_TIMEOUT_MS, type HubInit } from './options.js';
export { MODE_POLICY, type ModePolicy } from './modes.js';
export { DeadlineExceededError, DeliveryRejectedError, HubAbortedError, InvalidSendError, isPermanent } from './errors.js';
export type { HubStats, ModeStats } from './stats.js';
export type { HubState } from './state.js';
