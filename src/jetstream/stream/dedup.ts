/**
 * Nats-Msg-Id de-duplication inside the stream's duplicate_window: id -> the sequence it was stored
 * under. Entries are kept in insertion (= time) order, so expiry only looks at the oldest ones.
 */
export interface DedupEntry {
  seq: number;
  /** ns */
  time: number;
}

export class DedupWindow {
  private readonly ids = new Map<string, DedupEntry>();

  constructor(private windowNs: number) {}

  setWindow(ns: number): void {
    this.windowNs = ns;
  }

  get size(): number {
    return this.ids.size;
  }

  /** The entry for `id` if it is still inside the window at `now`. */
  get(id: string, now: number): DedupEntry | undefined {
    const e = this.ids.get(id);
    if (e === undefined) return undefined;
    if (this.windowNs > 0 && e.time < now - this.windowNs) {
      this.ids.delete(id);
      return undefined;
    }
    return e;
  }

  add(id: string, seq: number, time: number): void {
    if (this.windowNs <= 0) return;
    this.ids.set(id, { seq, time });
    this.expire(time);
  }

  /** Drops entries older than the window; cheap when nothing expired (one look at the oldest). */
  expire(now: number): void {
    const cutoff = now - this.windowNs;
    for (const [id, e] of this.ids) {
      if (e.time >= cutoff) break;
      this.ids.delete(id);
    }
  }

  entries(): IterableIterator<[string, DedupEntry]> {
    return this.ids.entries();
  }

  clear(): void {
    this.ids.clear();
  }
}
