// Every gossip topic, declared once: its versioned name and the schema of its frames. Frames are
// validated on receipt (invalid ones are logged and dropped); types are inferred from the schemas.
import type { z } from 'zod';
import type { Transport, Unsubscribe } from '../transport/transport.js';
import type { Logger } from '../util/log.js';
import { HealthFrame } from './health.js';
import { MembershipFrame } from './membership.js';
import { CapacityFrame } from './resources.js';
import { publishFrame, subscribeFrames } from './rpc.js';

export const TOPICS = {
  /** Heartbeats and goodbyes of every member, about once a second. */
  membership: { name: '/mcpdt/membership/1.0.0', schema: MembershipFrame },
  /** Each peer's health sample every check interval, and its process probe each second while load runs. */
  health: { name: '/mcpdt/health/1.0.0', schema: HealthFrame },
  /** Each peer's capacity for the resource pool, every monitoring interval. */
  resources: { name: '/mcpdt/resources/1.0.0', schema: CapacityFrame },
} as const;

export type TopicName = keyof typeof TOPICS;
export type TopicFrame<T extends TopicName> = z.infer<(typeof TOPICS)[T]['schema']>;

export function publishTopic<T extends TopicName>(transport: Transport, topic: T, frame: TopicFrame<T>): Promise<void> {
  return publishFrame(transport, TOPICS[topic].name, frame);
}

export function subscribeTopic<T extends TopicName>(transport: Transport, topic: T, handler: (frame: TopicFrame<T>, from: string) => void, log: Logger): Unsubscribe {
  return subscribeFrames(transport, TOPICS[topic].name, TOPICS[topic].schema, handler as (frame: unknown, from: string) => void, log);
}
