/**
 * The Sublist cache's doorkeeper (see "Admission" in sublist.ts): remembers which keys were seen
 * lately, so that a key is admitted on its second sight. Two generations of Sets: a key is recorded
 * in the current one; once that holds DOORKEEPER_GENERATION keys it becomes the previous one and the
 * older is dropped whole. A key found only in the previous set is recorded again, so any sight of a
 * key is remembered for at least DOORKEEPER_GENERATION - 1 further records.
 *
 * Sets rather than a hashed bitset: the caller has just looked the key up in its cache Map, so V8
 * already holds the string's hash and a Set probe costs no pass over the chars (a JS hash did, and
 * cost more than the cache insert it saved); and membership is exact, so hot keys never collide.
 * Generations are dropped, never swept: no key is deleted from a Set (see SHELL_SWEEP_MIN in sublist.ts).
 */

export const DOORKEEPER_GENERATION = 1024;

export class Doorkeeper {
  private current = new Set<string>();
  private previous = new Set<string>();

  /** Whether `key` was seen within the last generation or two; records it unless the current one has it. */
  seenBefore(key: string): boolean {
    if (this.current.has(key)) return true;
    const seen = this.previous.has(key);
    this.current.add(key);
    if (this.current.size === DOORKEEPER_GENERATION) {
      this.previous = this.current;
      this.current = new Set();
    }
    return seen;
  }
}
