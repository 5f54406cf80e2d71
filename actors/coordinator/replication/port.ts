// The replication port the coordinator's driver holds: each call is a message to the replicator actor.
import type { ActorRef } from '../../../src/actor/types.js';
import type { ExecutionReplication } from '../../../src/execution/ports.js';
import { McpError } from '../../../src/errors.js';
import type { ReplicationMessage } from './messages.js';

export function replicationPort(replicator: ActorRef<ReplicationMessage>): ExecutionReplication {
  return {
    docChanged: (doc) => void replicator.tell({ type: 'doc.changed', doc }),
    deltaStored: (delta) => void replicator.tell({ type: 'delta.stored', delta }),
    gather: (peers) =>
      new Promise<void>((resolve, reject) => {
        if (!replicator.tell({ type: 'gather', peers, done: resolve })) reject(new McpError('REPLICATION_UNAVAILABLE', 'the replicator is not accepting messages'));
      }),
  };
}
