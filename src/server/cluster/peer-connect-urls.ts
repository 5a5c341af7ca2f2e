/**
 * The client URLs of the other servers in the cluster, for the `connect_urls` of this server's INFO to
 * clients. Two routes may announce the same URL (a peer reached twice, a shared advertise address), so
 * each URL is counted and leaves only with its last announcer.
 *
 * Invariant: every count is positive; `list()` holds each counted URL once, in order of first arrival.
 */
import { assert } from "../../util/assert.js";

export class PeerConnectUrls {
  private readonly counts = new Map<string, number>();

  /** Adds a route's URLs; true when the list changed. */
  add(urls: readonly string[]): boolean {
    let changed = false;
    for (const u of urls) {
      const n = this.counts.get(u) ?? 0;
      if (n === 0) changed = true;
      this.counts.set(u, n + 1);
    }
    return changed;
  }

  /** Removes URLs a route had added; true when the list changed. */
  remove(urls: readonly string[]): boolean {
    let changed = false;
    for (const u of urls) {
      const n = this.counts.get(u);
      assert(n !== undefined && n > 0, () => `connect URL ${u} removed more often than added`);
      if (n === 1) {
        this.counts.delete(u);
        changed = true;
      } else this.counts.set(u, n - 1);
    }
    return changed;
  }

  list(): string[] {
    return [...this.counts.keys()];
  }
}
