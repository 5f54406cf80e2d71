// The /load routes' port onto the load-generator actor (src/load/local-load.ts is the contract).
import { ask } from '../actor/ask.js';
import type { ActorRef } from '../actor/types.js';
import type { LocalLoad } from '../load/local-load.js';
import type { LoadGeneratorMessage, LoadTaskView } from '../../actors/load-generator/messages.js';

export function localLoadPort(generator: ActorRef<LoadGeneratorMessage>): LocalLoad {
  return {
    start: (task, name) => ask<LoadGeneratorMessage, string>(generator, (reply) => ({ type: 'load.start', request: { task, name }, reply })),
    stop: (taskId) => ask<LoadGeneratorMessage, boolean>(generator, (reply) => ({ type: 'load.stop', taskId, reply })),
    get: (taskId) => ask<LoadGeneratorMessage, LoadTaskView | undefined>(generator, (reply) => ({ type: 'load.get', taskId, reply })),
    list: () => ask<LoadGeneratorMessage, LoadTaskView[]>(generator, (reply) => ({ type: 'load.list', reply })),
  };
}
