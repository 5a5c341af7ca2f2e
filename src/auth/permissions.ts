/**
 * A user's publish and subscribe permissions, compiled into Sublists of allowed and denied subjects.
 * The decisions follow nats-server's rules exactly, including their corners:
 * - deny wins over allow; no allow list means everything is allowed (an empty one: nothing);
 * - a SUB subject is looked up in the lists as a literal, so its `*`/`>` tokens are matched by wildcard
 *   entries only (`SUB foo.>` passes `foo.*`, not `foo.bar`);
 * - entries with a queue group ("foo.> workers") decide queue subscriptions: a queue subscription is
 *   allowed by a matching plain entry unless matching queue entries exist and none names its queue;
 * - a wildcard subscription may overlap denied subjects: those messages are filtered at delivery.
 * Publish decisions are cached per subject (shared by every connection of the user).
 */
import type { PermissionsSpec, SubjectPermissionSpec } from "../config/options.js";
import { Sublist } from "../subjects/sublist.js";
import { hasWildcard, subjectIsSubsetOf } from "../subjects/validate.js";

class Entry {
  constructor(
    readonly subject: string,
    readonly queue: string | undefined,
  ) {}
}

/** Cached decisions per list; past this many subjects the cache starts over. */
const CACHE_MAX = 4096;

function compile(subjects: readonly string[] | undefined, withQueues: boolean): Sublist<Entry> | null {
  if (subjects === undefined) return null;
  const list = new Sublist<Entry>({ disableCache: true });
  for (const s of subjects) {
    const space = s.indexOf(" ");
    if (space > 0 && withQueues) list.insert(new Entry(s.slice(0, space), s.slice(space + 1)));
    else list.insert(new Entry(s, undefined));
  }
  return list;
}

function queueMatches(queue: string, groups: readonly (readonly Entry[])[]): boolean {
  for (const g of groups) {
    const name = g[0]!.queue!;
    if (name === queue || (hasWildcard(name) && subjectIsSubsetOf(queue, name))) return true;
  }
  return false;
}

export interface ResponsePermission {
  /** Responses allowed per request (0 or less: unlimited). */
  maxMsgs: number;
  /** How long after the request a response may be sent (0 or less: no limit). */
  expiresMs: number;
}

export class Permissions {
  private readonly pubAllow: Sublist<Entry> | null;
  private readonly pubDeny: Sublist<Entry> | null;
  private readonly subAllow: Sublist<Entry> | null;
  private readonly subDeny: Sublist<Entry> | null;
  /** Plain (non-queue) deny entries: what a wildcard subscription must not be handed. */
  private readonly deliverDeny: Sublist<Entry> | null;
  private readonly pubCache = new Map<string, boolean>();
  private readonly deliverCache = new Map<string, boolean>();
  readonly response: ResponsePermission | undefined;
  /** False when publishing is unrestricted (no lists): callers skip the check. */
  readonly restrictsPublish: boolean;
  readonly restrictsSubscribe: boolean;
  /** True when delivered messages must be filtered (subscribe deny entries exist). */
  readonly filtersDelivery: boolean;

  constructor(readonly spec: PermissionsSpec) {
    let pub: SubjectPermissionSpec | undefined = spec.publish;
    // nats-server: allowing responses without a publish allow list turns the blanket allow off.
    if (spec.responses !== undefined && pub?.allow === undefined) pub = { ...pub, allow: [] };
    this.pubAllow = compile(pub?.allow, false);
    this.pubDeny = compile(pub?.deny, false);
    this.subAllow = compile(spec.subscribe?.allow, true);
    this.subDeny = compile(spec.subscribe?.deny, true);
    const plainDeny = spec.subscribe?.deny?.filter((s) => !s.includes(" "));
    this.deliverDeny = plainDeny !== undefined && plainDeny.length > 0 ? compile(plainDeny, false) : null;
    this.response = spec.responses;
    this.restrictsPublish = this.pubAllow !== null || this.pubDeny !== null;
    this.restrictsSubscribe = this.subAllow !== null || this.subDeny !== null;
    this.filtersDelivery = this.deliverDeny !== null;
  }

  /** May the user publish to `subject`? (Response permissions are the caller's: see ResponseTracker.) */
  canPublish(subject: string): boolean {
    const cached = this.pubCache.get(subject);
    if (cached !== undefined) return cached;
    let allowed = true;
    if (this.pubAllow !== null) allowed = this.pubAllow.match(subject).plain.length > 0;
    if (allowed && this.pubDeny !== null) allowed = this.pubDeny.match(subject).plain.length === 0;
    if (this.pubCache.size >= CACHE_MAX) this.pubCache.clear();
    this.pubCache.set(subject, allowed);
    return allowed;
  }

  canSubscribe(subject: string, queue: string | undefined): boolean {
    let allowed = true;
    if (this.subAllow !== null) {
      const r = this.subAllow.match(subject);
      allowed = r.plain.length > 0;
      if (queue !== undefined && r.queues.length > 0) allowed = queueMatches(queue, r.queues);
    }
    if (allowed && this.subDeny !== null) {
      const r = this.subDeny.match(subject);
      allowed = r.plain.length === 0;
      if (queue !== undefined && r.queues.length > 0) allowed = !queueMatches(queue, r.queues);
    }
    return allowed;
  }

  /** A message on `subject` must not be delivered to this user (it matches a subscribe deny entry). */
  deniesDelivery(subject: string): boolean {
    if (this.deliverDeny === null) return false;
    const cached = this.deliverCache.get(subject);
    if (cached !== undefined) return cached;
    const denied = this.deliverDeny.match(subject).plain.length > 0;
    if (this.deliverCache.size >= CACHE_MAX) this.deliverCache.clear();
    this.deliverCache.set(subject, denied);
    return denied;
  }
}

/** Permissions for a spec, or null when the spec restricts nothing (the hot path then skips all checks). */
export function compilePermissions(spec: PermissionsSpec | undefined): Permissions | null {
  if (spec === undefined) return null;
  if (spec.publish === undefined && spec.subscribe === undefined && spec.responses === undefined) return null;
  return new Permissions(spec);
}
