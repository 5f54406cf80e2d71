// Part of the composition root (src/peer.ts): the resource pool's actor, its direct messages and its routes.
// Allocations are decided by the coordinator in office; any peer relays a request to it.
import { ask } from '../actor/ask.js';
import type { Actor } from '../actor/actor.js';
import type { ActorSystem } from '../actor/system.js';
import type { Config } from '../config/schema.js';
import { McpError } from '../errors.js';
import type { OfficeClient } from '../execution/office.js';
import type { Router } from '../http/router.js';
import { resourceRoutes } from '../http/routes/resources.js';
import type { PeerMessenger } from '../protocol/peer-messenger.js';
import type { PoolReplica } from '../resources.js';
import type { Store } from '../store/store.js';
import type { Transport } from '../transport/transport.js';
import { resourcePool } from '../../actors/resource-pool/actor.js';
import { detectCapacity } from '../../actors/resource-pool/capacity.js';
import type { AllocateReply, PoolStatusView, ResourcePoolMessage } from '../../actors/resource-pool/messages.js';

export interface ResourcePoolWiring {
  system: ActorSystem;
  transport: Transport;
  messenger: PeerMessenger;
  router: Router;
  store: Store;
  config: Config;
  dataDir: string;
  coordinatorStatus(): Promise<{ in_office: boolean; term: number }>;
  toCoordinator: OfficeClient;
}

export async function wireResourcePool({ system, transport, messenger, router, store, config, dataDir, coordinatorStatus, toCoordinator }: ResourcePoolWiring): Promise<Actor<ResourcePoolMessage, unknown>> {
  const rm = config.resource_management;
  const poolActor: Actor<ResourcePoolMessage, unknown> = await system.spawn(
    resourcePool({
      transport,
      messenger,
      capacity: detectCapacity(config.resources, dataDir),
      office: async () => {
        const s = await coordinatorStatus();
        return { inOffice: s.in_office, term: s.term };
      },
      persist: { load: () => store.getValue<PoolReplica>('resource_pool'), save: (r) => store.setValue('resource_pool', r) },
      announceMs: rm.monitoring_interval * 1_000,
      cleanupMs: rm.cleanup_interval * 1_000,
    }),
  );
  const notInOffice = () => new McpError('NOT_COORDINATOR', `${transport.self} is not the coordinator in office`);
  messenger.on('resources.allocate', async (request) => {
    const reply = await ask<ResourcePoolMessage, AllocateReply>(poolActor, (r) => ({ type: 'allocate', request, reply: r }), 5_000);
    if ('not_in_office' in reply) throw notInOffice();
    return reply;
  });
  messenger.on('resources.release', async ({ allocation_id }) => {
    const released = await ask<ResourcePoolMessage, boolean | 'not_in_office'>(poolActor, (r) => ({ type: 'release', allocation_id, reply: r }), 5_000);
    if (released === 'not_in_office') throw notInOffice();
    return { released };
  });
  messenger.on('resources.replicate', (replica) => ({ stored: poolActor.tell({ type: 'replica', replica }) }));
  messenger.on('resources.sync', () => ask<ResourcePoolMessage, PoolReplica>(poolActor, (r) => ({ type: 'replica.get', reply: r })));
  resourceRoutes(router, {
    self: transport.self,
    allocationTimeoutS: rm.allocation_timeout,
    allocate: (request) => toCoordinator('resources.allocate', request),
    release: async (allocationId) => (await toCoordinator('resources.release', { allocation_id: allocationId })).released,
    status: () => ask<ResourcePoolMessage, PoolStatusView>(poolActor, (r) => ({ type: 'status.get', reply: r })),
  });
  return poolActor;
}
