// A load engine's sender for model tests: records what the model hands over; every request stays in
// flight (no completions).
import type { Sender } from '../../actors/load-generator/sender.js';

export function recordingSender(): { sender: Sender; sends: { intended: number; now: number }[] } {
  const sends: { intended: number; now: number }[] = [];
  const sender = {
    inFlight: 0,
    onFree: () => {},
    send(_target: number, intended: number, now: number) {
      sends.push({ intended, now });
      this.inFlight++;
    },
  };
  return { sender: sender as unknown as Sender, sends };
}
