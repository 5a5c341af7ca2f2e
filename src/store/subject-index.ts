/**
 * The memory store's subjects (live-index.ts SubjectIds): subject -> its list of live sequences
 * (seq-list.ts), and a small integer id per subject so that the message index stores 4 bytes per
 * message instead of a string reference. The file store keeps only totals, in typed arrays
 * (file/subject-totals.ts).
 *
 * Invariant: a subject has a list exactly while it has live messages; its id is recycled only after
 * the list is gone, so a live index entry always names a live subject.
 */
import type { SubjectIds } from "./live-index.js";
import { SeqList } from "./seq-list.js";

export class SubjectIndex implements SubjectIds {
  private readonly bySubject = new Map<string, SeqList>();
  private readonly byId: (SeqList | undefined)[] = [];
  private readonly freeIds: number[] = [];
  private readonly idListeners: ((id: number) => void)[] = [];

  get size(): number {
    return this.bySubject.size;
  }

  get idLimit(): number {
    return this.byId.length;
  }

  idOf(subject: string): number {
    return this.bySubject.get(subject)?.id ?? -1;
  }

  subjectOf(id: number): string {
    return this.byId[id]!.subject;
  }

  add(subject: string, seq: number): number {
    let e = this.bySubject.get(subject);
    if (e === undefined) {
      const id = this.freeIds.length > 0 ? this.freeIds.pop()! : this.byId.length;
      e = new SeqList(id, subject);
      this.bySubject.set(subject, e);
      this.byId[id] = e;
      for (const l of this.idListeners) l(id);
    }
    e.push(seq);
    return e.id;
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

  count(id: number): number {
    return this.byId[id]?.count ?? 0;
  }

  first(id: number): number {
    return this.byId[id]!.first();
  }

  last(id: number): number {
    return this.byId[id]!.last();
  }

  nextFrom(id: number, seq: number): number {
    return this.byId[id]!.nextFrom(seq);
  }

  countFrom(id: number, seq: number): number {
    return this.byId[id]!.countFrom(seq);
  }

  seqs(id: number): number[] {
    return this.byId[id]!.toArray();
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

  onNewId(listener: (id: number) => void): void {
    this.idListeners.push(listener);
  }
}
