/**
 * Subject filters as the store sees them: "" and ">" select everything, a literal selects one subject
 * (answered from the subject index), anything with wildcards is matched per subject id and memoized,
 * because scans test the same few subjects millions of times.
 */
import { hasWildcard, subjectMatches } from "../subjects/validate.js";
import type { SubjectIds } from "./live-index.js";

export function selectsAll(filter: string): boolean {
  return filter === "" || filter === ">";
}

export function isLiteral(filter: string): boolean {
  return !hasWildcard(filter);
}

const UNKNOWN = 0;
const MATCH = 1;
const NO_MATCH = 2;
const CACHED_FILTERS = 8;

/** Memoized "does subject id N match filter F" for the last few wildcard filters used. */
export class FilterCache {
  private readonly memos = new Map<string, Uint8Array>();

  constructor(private readonly subjects: SubjectIds) {
    subjects.onNewId((id) => {
      for (const m of this.memos.values()) if (id < m.length) m[id] = UNKNOWN;
    });
  }

  /** A predicate over subject ids of live subjects. */
  matcher(filter: string): (id: number) => boolean {
    let memo = this.memos.get(filter);
    if (memo === undefined) {
      if (this.memos.size >= CACHED_FILTERS) this.memos.delete(this.memos.keys().next().value!);
      memo = new Uint8Array(Math.max(64, this.subjects.idLimit * 2));
      this.memos.set(filter, memo);
    }
    return (id: number): boolean => {
      if (id >= memo!.length) {
        const grown = new Uint8Array(Math.max(id + 1, memo!.length * 2));
        grown.set(memo!);
        memo = grown;
        this.memos.set(filter, grown);
      }
      let v = memo![id]!;
      if (v === UNKNOWN) {
        v = subjectMatches(filter, this.subjects.subjectOf(id)) ? MATCH : NO_MATCH;
        memo![id] = v;
      }
      return v === MATCH;
    };
  }
}
