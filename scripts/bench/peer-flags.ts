// Preloaded (`node --import …/peer-flags.js`) by benchmark children that model a peer (`node peer.js`):
// sets the V8 flags peer.js sets for it (src/cli/v8-flags.ts) before the child loads anything else.
import { setV8FlagsFor } from '../../src/cli/v8-flags.js';

setV8FlagsFor('start');
