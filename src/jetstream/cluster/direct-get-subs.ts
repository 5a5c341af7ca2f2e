/**
 * DIRECT.GET in a cluster: a server that holds a stream joins the queue group `_sys_` on
 * `$JS.API.DIRECT.GET.<stream>` and `$JS.API.DIRECT.GET.<stream>.>` (and their `$JS.<domain>.API.`
 * forms), announced over routes; a server holding a mirror_direct mirror joins its origin's group too.
 * Each request then reaches one member, the requester's own server first, and is answered once, by
 * any replica (as nats-server's replicas answer). The `$JS.API.>` catch-all leaves DIRECT.GET to these
 * subscriptions (cluster-api.ts); a held stream without allow_direct answers 503, as the "no
 * responders" nats-server's requester would get.
 *
 * Invariant: the subscriptions are exactly those of the streams the account holds now (resynced on
 * every add and removal of a local stream).
 */
import type { ApiRouter } from "../api/router.js";
import { API_PREFIX, type JsAccount } from "../js-account.js";
import type { Subscription } from "../../server/subscription.js";

/** nats-server's queue group for the system's own services. */
const QUEUE = "_sys_";

export class DirectGetSubs {
  /** Stream name -> its queue subscriptions here. */
  private readonly subs = new Map<string, Subscription[]>();
  private readonly onStreams = (): void => this.sync();

  constructor(
    private readonly jsa: JsAccount,
    private readonly router: ApiRouter,
  ) {
    jsa.streamListeners.add(this.onStreams);
    this.sync();
  }

  stop(): void {
    this.jsa.streamListeners.delete(this.onStreams);
    for (const name of [...this.subs.keys()]) this.drop(name);
  }

  private sync(): void {
    const want = new Set<string>();
    for (const s of this.jsa.streams.values()) {
      want.add(s.name);
      if (s.cfg.mirror_direct && s.cfg.mirror !== undefined) want.add(s.cfg.mirror.name);
    }
    for (const name of [...this.subs.keys()]) if (!want.has(name)) this.drop(name);
    for (const name of want) if (!this.subs.has(name)) this.subs.set(name, this.subscribe(name));
  }

  private subscribe(name: string): Subscription[] {
    const { jsa, router } = this;
    const server = jsa.server;
    const prefixes = [API_PREFIX];
    if (jsa.domain) prefixes.push(`$JS.${jsa.domain}.API.`);
    const out: Subscription[] = [];
    for (const prefix of prefixes) {
      for (const subject of [`${prefix}DIRECT.GET.${name}`, `${prefix}DIRECT.GET.${name}.>`]) {
        out.push(
          server.subscribeInternal(jsa.account, subject, (subj, reply, payload, hdrLen, from) => {
            router.dispatch(jsa, subj, API_PREFIX + subj.slice(prefix.length), reply, payload, hdrLen, from);
          }, QUEUE),
        );
      }
    }
    return out;
  }

  private drop(name: string): void {
    for (const sub of this.subs.get(name) ?? []) this.jsa.server.unsubscribeInternal(this.jsa.account, sub);
    this.subs.delete(name);
  }
}
