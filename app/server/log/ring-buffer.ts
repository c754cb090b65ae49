/**
 * A bounded FIFO with O(1) push and in-place replacement of the newest entry. Old entries fall
 * off the front; every entry keeps a monotonically increasing sequence number so a viewer can
 * ask "what came after seq N" and notice what it missed.
 */
export class RingBuffer<T> {
  private readonly items: (T | undefined)[];
  private head = 0; // index of the oldest item
  private count = 0;
  private nextSeq = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError('capacity must be a positive integer');
    this.items = new Array(capacity);
  }

  get size(): number {
    return this.count;
  }
  /** Sequence number of the oldest entry still held. */
  get firstSeq(): number {
    return this.nextSeq - this.count;
  }
  /** Sequence number the next push will get. */
  get endSeq(): number {
    return this.nextSeq;
  }

  push(item: T): number {
    const idx = (this.head + this.count) % this.capacity;
    this.items[idx] = item;
    if (this.count < this.capacity) this.count++;
    else this.head = (this.head + 1) % this.capacity;
    return this.nextSeq++;
  }

  /** Replaces the newest entry (keeps its sequence number); pushes when empty. */
  replaceLast(item: T): number {
    if (this.count === 0) return this.push(item);
    this.items[(this.head + this.count - 1) % this.capacity] = item;
    return this.nextSeq - 1;
  }

  /** Overwrites the entry with sequence number `seq` if it is still held; returns whether it was. */
  set(seq: number, item: T): boolean {
    if (seq < this.firstSeq || seq >= this.nextSeq) return false;
    this.items[(this.head + (seq - this.firstSeq)) % this.capacity] = item;
    return true;
  }

  last(): T | undefined {
    return this.count === 0 ? undefined : this.items[(this.head + this.count - 1) % this.capacity];
  }

  get(seq: number): T | undefined {
    if (seq < this.firstSeq || seq >= this.nextSeq) return undefined;
    return this.items[(this.head + (seq - this.firstSeq)) % this.capacity];
  }

  /** Entries with seq in [from, to), clamped to what is held. */
  slice(from = this.firstSeq, to = this.nextSeq): T[] {
    const a = Math.max(from, this.firstSeq);
    const b = Math.min(to, this.nextSeq);
    const out: T[] = [];
    for (let s = a; s < b; s++) out.push(this.items[(this.head + (s - this.firstSeq)) % this.capacity] as T);
    return out;
  }

  clear(): void {
    this.items.fill(undefined);
    this.head = 0;
    this.count = 0;
  }
}
