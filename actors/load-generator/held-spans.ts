// The spans of time in which a fenced run may send: each `held` verdict on its share grants one, from
// when it was heard until its lease runs out (src/execution/share-lease.ts). Outside them the run is
// paused: what falls due is dropped, and a later span resumes it from the schedule's position then.
// Times are the sending loop's own (performance.now()).
export class HeldSpans {
  /** Disjoint, in time order: grants come in the order their verdicts were heard. */
  readonly #spans: { from: number; until: number }[] = [];

  grant(from: number, until: number): void {
    if (!(until > from)) return; // heard too late to be of use
    const last = this.#spans.at(-1);
    if (last && from <= last.until) last.until = Math.max(last.until, until);
    else this.#spans.push({ from, until });
    // Only recent spans matter: an arrival is never looked at long after it was due.
    while (this.#spans.length > 64) this.#spans.shift();
  }

  holds(t: number): boolean {
    for (let i = this.#spans.length - 1; i >= 0; i--) {
      const s = this.#spans[i]!;
      if (t >= s.until) return false;
      if (t >= s.from) return true;
    }
    return false;
  }
}
