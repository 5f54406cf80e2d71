// Yamux window updates once half a stream's receive window has been used, as go-yamux sends them,
// instead of after every data frame.
//
// js-libp2p-yamux answers every data frame it reads with a header-only WINDOW_UPDATE frame giving the
// window back: one more noise frame and write system call per message, in the turn that read it (the
// reply, through the actor's mailbox, leaves in a later one). On an idle peer among 10 those were 47 %
// of its write calls (strace; scripts/bench/idle.ts). The window is 256 KB: a message of a few hundred
// bytes does not need it back. The opening of a stream (SYN/ACK flags) and resuming a paused one go as
// before; a sender never waits on an update it needs, since one goes out as soon as half the window
// is used and it still has the other half.
import { StreamState, YamuxStream } from '@chainsafe/libp2p-yamux/stream';

/** What the patch reads of a yamux stream (private fields of the class). */
interface Window {
  state: StreamState;
  recvWindow: number;
  recvWindowCapacity: number;
}

let installed = false;

/** Patches YamuxStream once for this process; every yamux stream afterwards updates lazily. */
export function lazyWindowUpdates(): void {
  if (installed) return;
  installed = true;
  const proto = YamuxStream.prototype as unknown as { sendWindowUpdate(this: Window): void };
  const eager = proto.sendWindowUpdate;
  proto.sendWindowUpdate = function sendWindowUpdate(this: Window) {
    const opening = this.state === StreamState.Init || this.state === StreamState.SYNReceived;
    if (!opening && this.state !== StreamState.Paused && this.recvWindow - this.recvWindowCapacity < this.recvWindow / 2) return;
    eager.call(this);
  };
}
