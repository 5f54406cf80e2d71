// A FIFO of arrivals (due time, target), for the open model's waiting ones and a fenced run's doubtful ones.
/** FIFO of (due time, target) pairs in growable typed arrays. */
export class Backlog {
  #due = new Float64Array(256);
  #target = new Int32Array(256);
  #head = 0;
  #size = 0;

  get size(): number {
    return this.#size;
  }

  push(due: number, target: number): void {
    if (this.#size === this.#due.length) this.#grow();
    const at = (this.#head + this.#size) % this.#due.length;
    this.#due[at] = due;
    this.#target[at] = target;
    this.#size++;
  }

  headDue(): number {
    return this.#due[this.#head]!;
  }

  headTarget(): number {
    return this.#target[this.#head]!;
  }

  shift(): void {
    this.#head = (this.#head + 1) % this.#due.length;
    this.#size--;
  }

  #grow(): void {
    const due = new Float64Array(this.#due.length * 2);
    const target = new Int32Array(this.#due.length * 2);
    for (let i = 0; i < this.#size; i++) {
      const from = (this.#head + i) % this.#due.length;
      due[i] = this.#due[from]!;
      target[i] = this.#target[from]!;
    }
    this.#due = due;
    this.#target = target;
    this.#head = 0;
  }
}
