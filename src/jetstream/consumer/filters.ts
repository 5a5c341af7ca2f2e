/** A consumer's subject filters applied to its stream: no filters means every subject. */
import type { StreamStore } from "../../store/types.js";
import { subjectMatches } from "../../subjects/validate.js";

export function matchesFilters(filters: string[], subject: string): boolean {
  if (filters.length === 0) return true;
  for (let i = 0; i < filters.length; i++) if (subjectMatches(filters[i]!, subject)) return true;
  return false;
}

/** First stream sequence at or after `from` that matches the filters, 0 when none. */
export function nextMatching(store: StreamStore, filters: string[], from: number): number {
  if (filters.length === 0) return store.nextSeq("", from);
  if (filters.length === 1) return store.nextSeq(filters[0]!, from);
  let best = 0;
  for (const x of filters) {
    const s = store.nextSeq(x, from);
    if (s > 0 && (best === 0 || s < best)) best = s;
  }
  return best;
}
