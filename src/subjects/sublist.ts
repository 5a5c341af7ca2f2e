/**
 * The Sublist: every subscription of an account in a trie keyed by subject token, with `*` and `>`
 * children kept apart from literal tokens, plus a cache of match results keyed by subject.
 *
 * `match` runs once per published message, so a cache hit is a single Map lookup returning a shared
 * result object. Results are immutable by contract (typed readonly, not frozen, to keep them plain
 * arrays): a caller must never mutate one, and may keep it as long as it likes, because inserts and
 * removes never change a result already handed out. Instead they replace exactly the cached results
 * they affect with updated copies (a literal subject is in its own entry only; a wildcard one in the
 * entries of the subjects it matches). Replacing rather than dropping keeps those entries warm and
 * never deletes and re-adds a hot key, which a large V8 Map handles badly (see SHELL_SWEEP_MIN).
 *
 * Admission (ours; nats-server caches every subject it matches): a result is cached only when its
 * subject misses for the second time within DOORKEEPER_GENERATION - 1 other misses (up to twice
 * that may do). Many subjects are published exactly once (a message's ack subject, a request's reply
 * subject), so caching on first sight filled the cache with dead entries and swept it every 768
 * messages. Now a subject seen once costs its trie walk plus a Set insert in the Doorkeeper (a
 * generation of them dropped whole, where the cache deleted entries one by one), results die young,
 * and the cache holds only subjects that recur; a hot subject pays one extra walk. The Doorkeeper holds
 * no results, so inserts and removes need not touch it.
 * Subjects the owner knows to be one-shot (SublistOptions.oneShot) skip even the Doorkeeper. The
 * Sublist itself knows no subject names: the account says which subjects are one-shot.
 * `/subsz` thus counts in `num_cache` admitted subjects only, and in `num_matches` with no hit the
 * first two matches of a recurring subject.
 *
 * Subjects are latin1 strings (one char per byte). A subscription's `subject` and `queue` must not
 * change while it is in the list.
 */

import { subjectMatches } from "./validate.js";
import { Doorkeeper } from "./doorkeeper.js";
import { sublistStats, type SublistCounters, type SublistStats } from "./sublist-stats.js";

/** The two fields the Sublist reads; `queue` is undefined for a plain subscription. */
export interface SublistEntry {
  readonly subject: string;
  readonly queue: string | undefined;
  /**
   * How many queue members this entry stands for (another server's members of the group, say); it
   * appears that many times in its group of a match result, so a uniform choice weighs it so. Change
   * it only while the entry is out of the list (a cached result would keep the old weight).
   */
  readonly weight?: number;
}

/** The subscriptions matching one subject. Shared and cached: never mutate it. */
export interface SublistResult<S> {
  /** Plain subscriptions: each receives the message. */
  readonly plain: readonly S[];
  /** One non-empty array per queue group name: one member of each receives the message. */
  readonly queues: readonly (readonly S[])[];
}

export interface SublistOptions {
  /** nats-server's `disable_sublist_cache`: every match walks the trie. */
  readonly disableCache?: boolean;
  /**
   * Subjects made for one message (published once each): never cached, not asked of the Doorkeeper,
   * and consecutive ones differing in their last token only share one walk. None when absent.
   */
  readonly oneShot?: (subject: string) => boolean;
}

/** Above this many cached subjects the cache is swept down to `SUBLIST_CACHE_SWEEP` (nats-server's sizes). */
export const SUBLIST_CACHE_MAX = 1024;
export const SUBLIST_CACHE_SWEEP = 256;

const EMPTY_RESULT: SublistResult<never> = { plain: [], queues: [] };

class QueueGroup<S> {
  readonly members = new Set<S>();
  constructor(readonly name: string) {}
}

/**
 * Pruning. A node whose subtree loses its last subscription drops its children at once, and a `*` or
 * `>` child is unlinked. An emptied literal child stays in its parent's Map as an empty shell until
 * empty shells outnumber live children (and exceed SHELL_SWEEP_MIN); then the Map is rebuilt without
 * them. Deleting and re-adding one key over and over makes a large V8 Map slower with every round
 * (dead entries pile up in the key's bucket until the next rehash), and that is exactly what
 * unsubscribing and resubscribing a subject would do; a shell is reused instead.
 */
const SHELL_SWEEP_MIN = 8;

class TrieNode<S> {
  /** Subscriptions in this node and below it; 0 makes the node an empty shell. */
  subs = 0;
  /** How many entries of `literal` are empty shells. */
  shells = 0;
  literal: Map<string, TrieNode<S>> | null = null;
  /** Child for a `*` token. */
  star: TrieNode<S> | null = null;
  /** Child for a `>` token; it never has children of its own. Unlinked as soon as it is empty. */
  rest: TrieNode<S> | null = null;
  plain: Set<S> | null = null;
  queues: Map<string, QueueGroup<S>> | null = null;
}

export class Sublist<S extends SublistEntry> {
  private readonly root = new TrieNode<S>();
  private readonly cache: Map<string, SublistResult<S>> | null;
  private readonly oneShot: ((subject: string) => boolean) | null;
  /** Subjects that missed lately (see Admission); created on the first miss with the cache on. */
  private doorkeeper: Doorkeeper | null = null;
  /**
   * The last one-shot subject's prefix (every token but the last, with its dot) when no subscription
   * can tell its last token apart, and the result every subject of that prefix shares. A client's
   * reply subjects (`<inbox prefix>.<n>`) differ in their last token only, so a run of replies to one
   * client walks the trie once. Forgotten on every insert and remove; not kept with the cache disabled.
   */
  private shotPrefix = "";
  private shotResult: SublistResult<S> = EMPTY_RESULT;
  private inserts = 0;
  private removes = 0;
  private matches = 0;
  private cacheHits = 0;

  constructor(options?: SublistOptions) {
    this.cache = options?.disableCache === true ? null : new Map();
    this.oneShot = options?.oneShot ?? null;
  }

  get count(): number {
    return this.root.subs;
  }

  /**
   * Adds a subscription. Returns false, changing nothing, when its subject is not well formed (an
   * empty token, or `>` before the end): nats-server's `-ERR 'Invalid Subject'`. Adding the same
   * subscription object twice is a no-op.
   */
  insert(sub: S): boolean {
    const n = tokenize(sub.subject);
    if (n < 0) return false;
    const wildcard = scanWildcards(n);
    if (wildcard === null) return false;
    if (!insertBelow(this.root, n, 0, sub)) return true;
    this.inserts++;
    this.forgetShot();
    this.updateCache(sub, wildcard, true);
    return true;
  }

  private forgetShot(): void {
    this.shotPrefix = "";
    this.shotResult = EMPTY_RESULT;
  }

  /** Removes a subscription; false when it was not in the list. Empty trie nodes are pruned. */
  remove(sub: S): boolean {
    const wildcard = this.detach(sub);
    if (wildcard === null) return false;
    this.forgetShot();
    this.updateCache(sub, wildcard, false);
    return true;
  }

  /**
   * Removes many subscriptions at once (a closing connection) and returns how many were present.
   * If any of them is a wildcard the whole cache is dropped, rather than scanning it once per removal.
   */
  removeBatch(subs: Iterable<S>): number {
    const literals: S[] = [];
    let anyWildcard = false;
    let removed = 0;
    for (const sub of subs) {
      const wildcard = this.detach(sub);
      if (wildcard === null) continue;
      removed++;
      if (wildcard) anyWildcard = true;
      else literals.push(sub);
    }
    if (removed > 0) this.forgetShot();
    if (anyWildcard) this.cache?.clear();
    else for (const sub of literals) this.updateCache(sub, false, false);
    return removed;
  }

  /**
   * The subscriptions interested in a published subject. Tokens are literal here: `foo.*` published
   * reaches `foo.*` and `foo.>` but not `foo.bar`. A subject with an empty token matches nothing.
   */
  match(subject: string): SublistResult<S> {
    this.matches++;
    const cache = this.cache;
    const oneShot = this.oneShot !== null && this.oneShot(subject);
    if (oneShot && cache !== null) {
      // Never in the cache (never admitted); perhaps under the last one-shot prefix.
      const p = this.shotPrefix;
      if (p !== "" && subject.length > p.length && subject.startsWith(p) && subject.indexOf(".", p.length) < 0) return this.shotResult;
    } else if (cache !== null) {
      const hit = cache.get(subject);
      if (hit !== undefined) {
        this.cacheHits++;
        return hit;
      }
    }
    const n = splitLazily(subject);
    if (n < 0) return EMPTY_RESULT;
    const plain: S[] = [];
    const queues: S[][] = [];
    collect(this.root, n, 0, plain, queues);
    const result: SublistResult<S> = plain.length === 0 && queues.length === 0 ? EMPTY_RESULT : { plain, queues };
    if (oneShot) {
      if (cache !== null && n > 1 && !lastTokenMatters(this.root, n - 1, 0)) {
        this.shotPrefix = subject.substring(0, tokenEnds[n - 2]! + 1);
        this.shotResult = result;
      }
    } else if (cache !== null && (this.doorkeeper ??= new Doorkeeper()).seenBefore(subject)) {
      cache.set(subject, result);
      if (cache.size > SUBLIST_CACHE_MAX) sweep(cache);
    }
    return result;
  }

  /** Whether a published subject would reach anyone; does not count as a match and builds no result. */
  hasInterest(subject: string): boolean {
    const cache = this.cache;
    if (cache !== null) {
      const hit = cache.get(subject);
      if (hit !== undefined) return hit.plain.length > 0 || hit.queues.length > 0;
    }
    const n = splitLazily(subject);
    return n > 0 && interest(this.root, n, 0);
  }

  /**
   * Subscriptions whose subject overlaps a filter that may itself contain wildcards, i.e. those that
   * would receive some message published on a subject the filter matches (JetStream interest,
   * monitoring). An ill-formed filter matches nothing.
   */
  reverseMatch(filter: string): S[] {
    const n = tokenize(filter);
    if (n < 0 || scanWildcards(n) === null) return [];
    const out: S[] = [];
    overlapping(this.root, n, 0, out);
    return out;
  }

  /** Every subscription, in no particular order (monitoring). */
  all(): S[] {
    const out: S[] = [];
    subtree(this.root, out);
    return out;
  }

  counters(): SublistCounters {
    let totalFanout = 0;
    let maxFanout = 0;
    const cache = this.cache;
    if (cache !== null) {
      for (const r of cache.values()) {
        const fanout = r.plain.length + r.queues.length;
        totalFanout += fanout;
        if (fanout > maxFanout) maxFanout = fanout;
      }
    }
    return {
      subscriptions: this.root.subs,
      cacheEntries: cache === null ? 0 : cache.size,
      inserts: this.inserts,
      removes: this.removes,
      matches: this.matches,
      cacheHits: this.cacheHits,
      totalFanout,
      maxFanout,
    };
  }

  stats(): SublistStats {
    return sublistStats([this.counters()]);
  }

  /**
   * Takes a subscription out of the trie, pruning what became empty (see SHELL_SWEEP_MIN). Returns
   * whether its subject has a wildcard token, or null when it was not in the list. Leaves the cache alone.
   */
  private detach(sub: S): boolean | null {
    const n = tokenize(sub.subject);
    if (n < 0) return null;
    const wildcard = scanWildcards(n);
    if (wildcard === null || !removeBelow(this.root, n, 0, sub)) return null;
    this.removes++;
    return wildcard;
  }

  /** Brings the cached results that `sub` belongs to up to date after it was added or removed. */
  private updateCache(sub: S, wildcard: boolean, added: boolean): void {
    const cache = this.cache;
    if (cache === null || cache.size === 0) return;
    if (!wildcard) {
      const cached = cache.get(sub.subject);
      if (cached !== undefined) cache.set(sub.subject, added ? withSub(cached, sub) : withoutSub(cached, sub));
      return;
    }
    // Overwriting values while iterating is safe: no key is added or removed.
    for (const [subject, cached] of cache) {
      if (subjectMatches(sub.subject, subject)) cache.set(subject, added ? withSub(cached, sub) : withoutSub(cached, sub));
    }
  }
}

/**
 * Token buffer shared by every Sublist: all methods run synchronously and never re-enter one another,
 * so a cache miss allocates the token substrings and its result, nothing else. Entries at and past
 * `filled` are stale leftovers.
 */
const tokens: string[] = [];
/** Where token i of `lazySubject` ends (the index of its dot, or the subject's length). */
const tokenEnds: number[] = [];
let lazySubject = "";
let filled = 0;

/** Splits a subject into `tokens`; returns the token count, or -1 when a token is empty. */
function tokenize(subject: string): number {
  const n = splitLazily(subject);
  if (n > 0) token(n - 1);
  return n;
}

/**
 * Finds a subject's token boundaries without cutting the tokens yet; returns the token count, or -1
 * when a token is empty. A match walk then cuts (allocates) only the tokens it reaches through
 * token(i): a subject `a.b.<7 more tokens>` whose only subscription is `a.b.>` is decided after two
 * of its nine tokens.
 */
function splitLazily(subject: string): number {
  const len = subject.length;
  let n = 0;
  let start = 0;
  for (;;) {
    const dot = subject.indexOf(".", start);
    const end = dot === -1 ? len : dot;
    if (end === start) return -1;
    tokenEnds[n++] = end;
    if (dot === -1) break;
    start = dot + 1;
  }
  lazySubject = subject;
  filled = 0;
  return n;
}

/** Token i (< the count splitLazily returned) of the subject split last, cut on first use. */
function token(i: number): string {
  while (filled <= i) {
    const start = filled === 0 ? 0 : tokenEnds[filled - 1]! + 1;
    tokens[filled] = lazySubject.substring(start, tokenEnds[filled]);
    filled++;
  }
  return tokens[i]!;
}

/** Over the first n tokens: whether any is a wildcard, or null when a `>` is not last. */
function scanWildcards(n: number): boolean | null {
  let wildcard = false;
  for (let i = 0; i < n; i++) {
    const t = tokens[i];
    if (t === ">") {
      if (i !== n - 1) return null;
      wildcard = true;
    } else if (t === "*") wildcard = true;
  }
  return wildcard;
}

/** Adds `sub` at the node reached by tokens[i..n), creating or reviving nodes; false if already there. */
function insertBelow<S extends SublistEntry>(node: TrieNode<S>, n: number, i: number, sub: S): boolean {
  if (i === n) {
    if (!addTo(node, sub)) return false;
  } else {
    const t = tokens[i];
    const child = childFor(node, t);
    const wasShell = child.subs === 0;
    if (!insertBelow(child, n, i + 1, sub)) return false;
    if (wasShell && t !== "*" && t !== ">") node.shells--;
  }
  node.subs++;
  return true;
}

/** Removes `sub` from the node reached by tokens[i..n) and prunes what became empty; false if absent. */
function removeBelow<S extends SublistEntry>(node: TrieNode<S>, n: number, i: number, sub: S): boolean {
  if (i === n) {
    if (!removeFrom(node, sub)) return false;
  } else {
    const t = tokens[i];
    const child = t === "*" ? node.star : t === ">" ? node.rest : node.literal?.get(t);
    if (child === null || child === undefined || !removeBelow(child, n, i + 1, sub)) return false;
    if (child.subs === 0) pruneChild(node, child, t);
  }
  node.subs--;
  return true;
}

/** `literal` children are created as shells: insertBelow revives them once the insert succeeds. */
function childFor<S>(node: TrieNode<S>, token: string): TrieNode<S> {
  if (token === "*") return (node.star ??= new TrieNode<S>());
  if (token === ">") return (node.rest ??= new TrieNode<S>());
  const literal = (node.literal ??= new Map());
  let child = literal.get(token);
  if (child === undefined) {
    child = new TrieNode<S>();
    literal.set(token, child);
    node.shells++;
  }
  return child;
}

function pruneChild<S>(node: TrieNode<S>, child: TrieNode<S>, token: string): void {
  child.literal = null;
  child.star = null;
  child.shells = 0;
  if (token === "*") node.star = null;
  else if (token === ">") node.rest = null;
  else {
    const literal = node.literal!;
    node.shells++;
    if (node.shells > SHELL_SWEEP_MIN && node.shells * 2 > literal.size) sweepShells(node, literal);
  }
}

function sweepShells<S>(node: TrieNode<S>, literal: Map<string, TrieNode<S>>): void {
  const live = new Map<string, TrieNode<S>>();
  for (const [token, child] of literal) if (child.subs > 0) live.set(token, child);
  node.literal = live.size > 0 ? live : null;
  node.shells = 0;
}

/** Adds a subscription to a node's own set; false when it was already there. */
function addTo<S extends SublistEntry>(node: TrieNode<S>, sub: S): boolean {
  let members: Set<S>;
  const queue = sub.queue;
  if (queue === undefined) {
    members = node.plain ??= new Set();
  } else {
    const groups = (node.queues ??= new Map());
    let group = groups.get(queue);
    if (group === undefined) {
      group = new QueueGroup<S>(queue);
      groups.set(queue, group);
    }
    members = group.members;
  }
  if (members.has(sub)) return false;
  members.add(sub);
  return true;
}

function removeFrom<S extends SublistEntry>(node: TrieNode<S>, sub: S): boolean {
  const queue = sub.queue;
  if (queue === undefined) {
    const plain = node.plain;
    if (plain === null || !plain.delete(sub)) return false;
    if (plain.size === 0) node.plain = null;
    return true;
  }
  const groups = node.queues;
  const group = groups?.get(queue);
  if (groups === null || group === undefined || !group.members.delete(sub)) return false;
  if (group.members.size === 0) {
    groups.delete(queue);
    if (groups.size === 0) node.queues = null;
  }
  return true;
}

/** Appends the subscriptions of every node matching tokens[i..n) below `node`. */
function collect<S extends SublistEntry>(node: TrieNode<S>, n: number, i: number, plain: S[], queues: S[][]): void {
  for (; i < n; i++) {
    if (node.rest !== null) addMatches(node.rest, plain, queues);
    if (node.star !== null) collect(node.star, n, i + 1, plain, queues);
    const next = node.literal?.get(token(i));
    if (next === undefined) return;
    node = next;
  }
  addMatches(node, plain, queues);
}

/**
 * Whether a subject's last token can change its result: true when a node its first `last` tokens lead
 * to (literally or through `*`) has a live literal child. `*` and `>` children match any last token.
 * Uses the tokens of the subject split last.
 */
function lastTokenMatters<S>(node: TrieNode<S>, last: number, i: number): boolean {
  for (; i < last; i++) {
    if (node.star !== null && lastTokenMatters(node.star, last, i + 1)) return true;
    const next = node.literal?.get(token(i));
    if (next === undefined) return false;
    node = next;
  }
  return node.literal !== null && node.literal.size > node.shells;
}

/** Adds a node's own subscriptions, merging queue groups by name with those other nodes gave. */
function addMatches<S extends SublistEntry>(node: TrieNode<S>, plain: S[], queues: S[][]): void {
  const p = node.plain;
  if (p !== null) for (const s of p) plain.push(s);
  const groups = node.queues;
  if (groups === null) return;
  for (const group of groups.values()) {
    const k = groupIndex(queues, group.name);
    let target: S[];
    if (k === -1) {
      target = [];
      queues.push(target);
    } else target = queues[k];
    for (const s of group.members) {
      const w = s.weight ?? 1;
      target.push(s);
      for (let k = 1; k < w; k++) target.push(s);
    }
  }
}

function interest<S>(node: TrieNode<S>, n: number, i: number): boolean {
  for (; i < n; i++) {
    // A `>` child is unlinked as soon as it is empty, so one that is there has subscriptions.
    if (node.rest !== null) return true;
    if (node.star !== null && interest(node.star, n, i + 1)) return true;
    const next = node.literal?.get(token(i));
    if (next === undefined) return false;
    node = next;
  }
  return node.plain !== null || node.queues !== null;
}

function overlapping<S>(node: TrieNode<S>, n: number, i: number, out: S[]): void {
  if (i === n) {
    ownSubs(node, out);
    return;
  }
  // A `>` subscription here covers the one or more filter tokens that remain.
  if (node.rest !== null) ownSubs(node.rest, out);
  const t = tokens[i];
  if (t === ">") {
    if (node.star !== null) subtree(node.star, out);
    if (node.literal !== null) for (const child of node.literal.values()) subtree(child, out);
    return;
  }
  if (node.star !== null) overlapping(node.star, n, i + 1, out);
  const literal = node.literal;
  if (literal === null) return;
  if (t === "*") {
    for (const child of literal.values()) overlapping(child, n, i + 1, out);
  } else {
    const child = literal.get(t);
    if (child !== undefined) overlapping(child, n, i + 1, out);
  }
}

function ownSubs<S>(node: TrieNode<S>, out: S[]): void {
  if (node.plain !== null) for (const s of node.plain) out.push(s);
  if (node.queues !== null) for (const group of node.queues.values()) for (const s of group.members) out.push(s);
}

function subtree<S>(node: TrieNode<S>, out: S[]): void {
  ownSubs(node, out);
  if (node.literal !== null) for (const child of node.literal.values()) subtree(child, out);
  if (node.star !== null) subtree(node.star, out);
  if (node.rest !== null) subtree(node.rest, out);
}

/** A copy of a result with `sub` added: to the plain list, or to the group of its queue name. */
function withSub<S extends SublistEntry>(r: SublistResult<S>, sub: S): SublistResult<S> {
  const queue = sub.queue;
  if (queue === undefined) return { plain: [...r.plain, sub], queues: r.queues };
  const queues = r.queues.slice();
  const k = groupIndex(queues, queue);
  if (k === -1) queues.push([sub]);
  else queues[k] = [...queues[k], sub];
  return { plain: r.plain, queues };
}

/** A copy of a result without `sub`; a queue group left empty goes away. */
function withoutSub<S extends SublistEntry>(r: SublistResult<S>, sub: S): SublistResult<S> {
  const queue = sub.queue;
  let plain = r.plain;
  let queues = r.queues;
  if (queue === undefined) {
    plain = plain.filter((s) => s !== sub);
  } else {
    const k = groupIndex(queues, queue);
    if (k === -1) return r;
    const group = queues[k].filter((s) => s !== sub);
    const copy = queues.slice();
    if (group.length === 0) copy.splice(k, 1);
    else copy[k] = group;
    queues = copy;
  }
  return plain.length === 0 && queues.length === 0 ? EMPTY_RESULT : { plain, queues };
}

function groupIndex<S extends SublistEntry>(queues: readonly (readonly S[])[], name: string): number {
  for (let k = 0; k < queues.length; k++) if (queues[k][0].queue === name) return k;
  return -1;
}

/** Drops the oldest entries (Map order) until the cache is back to `SUBLIST_CACHE_SWEEP`. */
function sweep<S>(cache: Map<string, SublistResult<S>>): void {
  for (const key of cache.keys()) {
    cache.delete(key);
    if (cache.size <= SUBLIST_CACHE_SWEEP) return;
  }
}
