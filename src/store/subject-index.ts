/**
 * Per-subject index: subject -> its live sequences (first, last, count), and a small integer id per
 * subject so that the message index stores 4 bytes per message instead of a string reference.
 *
 * Invariant: a subject has an entry exactly while it has live messages; its id is recycled only after
 * the entry is gone, so a live index entry always names a live subject. Listeners hear about new ids
 * (filter caches key their memo by id and must forget a recycled one).
 */
import type { SubjectEntry } from "./live-index.js";

export type { SubjectEntry };

export class SubjectIndex {
  private readonly bySubject = new Map<string, SubjectEntry>();
  private readonly byId: (SubjectEntry | undefined)[] = [];
  private readonly freeIds: number[] = [];
  private readonly idListeners: ((id: number) => void)[] = [];

  /** newEntry makes the entry of a new subject (the store's kind decides what it keeps of its sequences). */
  constructor(private readonly newEntry: (id: number, subject: string) => SubjectEntry) {}

  get size(): number {
    return this.bySubject.size;
  }

  /** One past the highest id ever handed out (memo arrays are sized by it). */
  get idLimit(): number {
    return this.byId.length;
  }

  get(subject: string): SubjectEntry | undefined {
    return this.bySubject.get(subject);
  }

  byIdOf(id: number): SubjectEntry {
    return this.byId[id]!;
  }

  /** Records seq (the newest so far) for subject; returns the subject's entry. */
  add(subject: string, seq: number): SubjectEntry {
    let e = this.bySubject.get(subject);
    if (e === undefined) {
      const id = this.freeIds.length > 0 ? this.freeIds.pop()! : this.byId.length;
      e = this.newEntry(id, subject);
      this.bySubject.set(subject, e);
      this.byId[id] = e;
      for (const l of this.idListeners) l(id);
    }
    e.push(seq);
    return e;
  }

  remove(id: number, seq: number): void {
    const e = this.byId[id]!;
    e.remove(seq);
    if (e.count === 0) {
      this.bySubject.delete(e.subject);
      this.byId[id] = undefined;
      this.freeIds.push(id);
    }
  }

  clear(): void {
    this.bySubject.clear();
    for (let id = 0; id < this.byId.length; id++) {
      if (this.byId[id] !== undefined) {
        this.byId[id] = undefined;
        this.freeIds.push(id);
      }
    }
  }

  entries(): IterableIterator<SubjectEntry> {
    return this.bySubject.values();
  }

  onNewId(listener: (id: number) => void): void {
    this.idListeners.push(listener);
  }
}
