/**
 * Sublist statistics in nats-server's `/subsz` shape. Raw counters are kept apart from the JSON shape
 * because `/subsz` reports one figure over every account's Sublist: rates and averages must be
 * recomputed from summed counters, not averaged.
 */

/** What one Sublist counts; sum these over several lists with `sublistStats`. */
export interface SublistCounters {
  readonly subscriptions: number;
  readonly cacheEntries: number;
  readonly inserts: number;
  readonly removes: number;
  readonly matches: number;
  readonly cacheHits: number;
  /** Sum over cached results of (plain subscribers + queue groups). */
  readonly totalFanout: number;
  /** Largest (plain subscribers + queue groups) of any cached result. */
  readonly maxFanout: number;
}

/** The `/subsz` fields, named as nats-server names them. */
export interface SublistStats {
  num_subscriptions: number;
  num_cache: number;
  num_inserts: number;
  num_removes: number;
  num_matches: number;
  /** Cache hits / matches; 0 before the first match. */
  cache_hit_rate: number;
  max_fanout: number;
  /** Mean fanout of the cached results; 0 when nothing is cached. */
  avg_fanout: number;
}

export function sublistStats(parts: Iterable<SublistCounters>): SublistStats {
  let subs = 0;
  let cache = 0;
  let inserts = 0;
  let removes = 0;
  let matches = 0;
  let hits = 0;
  let totalFanout = 0;
  let maxFanout = 0;
  for (const p of parts) {
    subs += p.subscriptions;
    cache += p.cacheEntries;
    inserts += p.inserts;
    removes += p.removes;
    matches += p.matches;
    hits += p.cacheHits;
    totalFanout += p.totalFanout;
    if (p.maxFanout > maxFanout) maxFanout = p.maxFanout;
  }
  return {
    num_subscriptions: subs,
    num_cache: cache,
    num_inserts: inserts,
    num_removes: removes,
    num_matches: matches,
    cache_hit_rate: matches > 0 ? hits / matches : 0,
    max_fanout: maxFanout,
    avg_fanout: totalFanout > 0 ? totalFanout / cache : 0,
  };
}
