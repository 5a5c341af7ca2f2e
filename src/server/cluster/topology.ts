/**
 * The cluster's shape, as a deterministic state machine: which routes to dial and when, which of two
 * connections to the same server to keep, what to gossip, which cluster name to use. Inputs are events
 * with the clock's value; outputs are actions for the shell (topology-types.ts). No timers, sockets or
 * randomness of its own, so a seeded schedule replays exactly.
 *
 * The rules are nats-server 2.9.10's (route.go):
 * - Configured routes are dialled at start and redialled for ever, `connectDelayMs` apart (doubling up
 *   to `maxConnectDelayMs` with `backoff`). Gossiped (implicit) routes get one attempt plus
 *   `connectRetries`. After a route closes, a solicited one is redialled after a random jitter (plus
 *   `reconnectDelayMs` when configured), unless another connection to that server is up or it was a
 *   route to this server itself.
 * - A route becomes live (registered) when the peer's first INFO arrives. The first connection to
 *   register for a server id wins; a later one is closed as a duplicate. If the duplicate was one we
 *   dialled, the kept connection takes over its URL and type (so a configured route stays configured),
 *   and is marked to redial if it closes — so that when both servers keep opposite connections and
 *   both close, they find each other again.
 * - A new route's INFO is forwarded to the other routes (gossip), with `ip` set to where it can be
 *   dialled; a server that receives INFO about another server dials it unless already connected to it
 *   or configured to dial it anyway.
 * - Cluster names: cluster-name.ts.
 *
 * Invariants: `remotes` maps a server id to a registered connection of that id; a connection is
 * registered at most once; a dial is either in flight or scheduled (`dueAt`), never both.
 */
import type { RouteInfo } from "../../protocol/route-info.js";
import { assert } from "../../util/assert.js";
import { joinHostPort, parseGoUrl } from "../../util/go-url.js";
import { clusterNameMismatch, onRemoteConnect, onRemoteInfo, type ClusterName, type NameDecision } from "./cluster-name.js";
import { PeerConnectUrls } from "./peer-connect-urls.js";
import type { RouteTarget, RouteType, TopologyAction, TopologyConfig, TopologyEvent } from "./topology-types.js";

interface RouteConn {
  connId: number;
  /** We dialled it (nats-server's didSolicit). */
  solicited: boolean;
  type: RouteType;
  /** Where to redial it; for an accepted route, learnt from its INFO. */
  target?: RouteTarget;
  /** From CONNECT (accepted) or INFO. */
  remoteId?: string;
  infoReceived: boolean;
  registered: boolean;
  /** Redial when it closes even though it is implicit (kept over a duplicate). */
  retry: boolean;
  /** The client URLs this route added to `peerUrls`. */
  connectUrls: string[];
  /** Closed by us: a duplicate or a name conflict; no more input is acted on. */
  closing: boolean;
}

interface Dial {
  dialId: number;
  target: RouteTarget;
  type: RouteType;
  /** Configured routes: never give up. */
  forever: boolean;
  /** The first series of attempts (errors reported less often than for redials). */
  first: boolean;
  attempts: number;
  delayMs: number;
  /** Scheduled at this time; undefined while in flight. */
  dueAt?: number;
}

export class ClusterTopology {
  private readonly routes = new Map<number, RouteConn>();
  private readonly remotes = new Map<string, number>();
  private readonly dials = new Map<number, Dial>();
  private readonly peerUrls = new PeerConnectUrls();
  private nextDialId = 1;
  private name: ClusterName;
  private running = false;
  private out: TopologyAction[] = [];

  constructor(private readonly cfg: TopologyConfig) {
    this.name = { ...cfg.clusterName };
  }

  get clusterName(): ClusterName {
    return { ...this.name };
  }

  /** Server ids with a live route. */
  connectedServers(): string[] {
    return [...this.remotes.keys()];
  }

  /** When `tick` should next be called; undefined when nothing is scheduled. */
  nextWakeAt(): number | undefined {
    let at: number | undefined;
    for (const d of this.dials.values()) if (d.dueAt !== undefined && (at === undefined || d.dueAt < at)) at = d.dueAt;
    return at;
  }

  handle(event: TopologyEvent, now: number): TopologyAction[] {
    this.out = [];
    switch (event.kind) {
      case "start":
        this.running = true;
        for (const target of this.cfg.routes) this.dialNow(target, "explicit", true, true);
        break;
      case "tick":
        this.runDue(now);
        break;
      case "dialFailed":
        this.dialFailed(event.dialId, event.error, now);
        break;
      case "dialSelf":
        this.dials.delete(event.dialId);
        break;
      case "dialed":
        this.dialed(event.dialId, event.connId);
        break;
      case "accepted":
        this.routes.set(event.connId, newConn(event.connId, false, "implicit"));
        break;
      case "connect":
        this.onConnect(event.connId, event.connect.name, event.connect.cluster, event.connect.clusterDynamic === true);
        break;
      case "info":
        this.onInfo(event.connId, event.info, event.remoteIp);
        break;
      case "closed":
        this.onClosed(event.connId, now);
        break;
      case "shutdown":
        this.running = false;
        this.dials.clear();
        break;
    }
    return this.out;
  }

  // --- dialling ---

  private dialNow(target: RouteTarget, type: RouteType, forever: boolean, first: boolean): void {
    if (!this.running) return;
    const dial: Dial = { dialId: this.nextDialId++, target, type, forever, first, attempts: 0, delayMs: this.cfg.connectDelayMs };
    this.dials.set(dial.dialId, dial);
    this.out.push({ kind: "dial", dialId: dial.dialId, target, type });
  }

  private schedule(target: RouteTarget, type: RouteType, forever: boolean, at: number): void {
    if (!this.running) return;
    const dial: Dial = { dialId: this.nextDialId++, target, type, forever, first: false, attempts: 0, delayMs: this.cfg.connectDelayMs, dueAt: at };
    this.dials.set(dial.dialId, dial);
  }

  private runDue(now: number): void {
    const due = [...this.dials.values()].filter((d) => d.dueAt !== undefined && d.dueAt <= now).sort((a, b) => a.dueAt! - b.dueAt! || a.dialId - b.dialId);
    for (const d of due) {
      delete d.dueAt;
      this.out.push({ kind: "dial", dialId: d.dialId, target: d.target, type: d.type });
    }
  }

  private dialFailed(dialId: number, error: string, now: number): void {
    const d = this.dials.get(dialId);
    if (!d) return;
    assert(d.dueAt === undefined, `dial ${dialId} failed while not in flight`);
    d.attempts++;
    const every = d.first ? this.cfg.connectErrorReports : this.cfg.reconnectErrorReports;
    const text = `Error trying to connect to route (attempt ${d.attempts}): ${error}`;
    this.out.push({ kind: "log", level: d.attempts === 1 || d.attempts % every === 0 ? "error" : "debug", text });
    if (!d.forever && (this.cfg.connectRetries <= 0 || d.attempts > this.cfg.connectRetries)) {
      this.dials.delete(dialId);
      return;
    }
    d.dueAt = now + d.delayMs;
    if (this.cfg.backoff) d.delayMs = Math.min(d.delayMs * 2, this.cfg.maxConnectDelayMs);
  }

  private dialed(dialId: number, connId: number): void {
    const d = this.dials.get(dialId);
    if (!d) return;
    this.dials.delete(dialId);
    // A dial is configured when its host is one of the configured routes', whatever gossip said.
    const explicit = this.cfg.routes.some((r) => sameHost(r.hostPort, d.target.hostPort));
    const c = newConn(connId, true, explicit ? "explicit" : "implicit");
    c.target = d.target;
    this.routes.set(connId, c);
  }

  // --- handshake ---

  private onConnect(connId: number, remoteId: string, cluster: string, dynamic: boolean): void {
    const c = this.live(connId);
    if (!c) return;
    const decision = onRemoteConnect(this.name, cluster, dynamic);
    if (decision.kind === "reject") {
      const text = clusterNameMismatch(cluster, this.name.name);
      this.out.push({ kind: "log", level: "error", text }, { kind: "sendErr", connId, text });
      this.closeConn(c, "Cluster Name Conflict");
      return;
    }
    this.applyName(decision, c);
    c.remoteId = remoteId;
  }

  private onInfo(connId: number, info: RouteInfo, remoteIp: string): void {
    const c = this.live(connId);
    if (!c) return;
    if (info.serverId === this.cfg.serverId) {
      c.remoteId = info.serverId;
      this.out.push({ kind: "log", level: "debug", text: "Detected route to self, ignoring" });
      this.closeConn(c, "Duplicate Route");
      return;
    }
    const decision = onRemoteInfo(this.name, info.cluster ?? "", info.clusterDynamic === true);
    if (decision.kind === "reject") {
      this.closeConn(c, "Cluster Name Conflict");
      return;
    }
    this.applyName(decision, c);
    if (c.infoReceived) return this.onAsyncInfo(c, info);
    if (!c.solicited && info.serverName === this.cfg.serverName) {
      this.out.push({ kind: "log", level: "error", text: `Remote server has a duplicate name: ${JSON.stringify(info.serverName)}` });
      this.closeConn(c, "Duplicate Server Name");
      return;
    }
    c.infoReceived = true;
    c.remoteId = info.serverId;
    c.target ??= { hostPort: joinHostPort(info.host, info.port) };
    const existing = this.remotes.get(info.serverId);
    if (existing !== undefined) return this.duplicate(c, this.routes.get(existing)!, info.serverId);
    this.register(c, info, remoteIp);
  }

  private register(c: RouteConn, info: RouteInfo, remoteIp: string): void {
    assert(!c.registered && c.remoteId !== undefined, `route ${c.connId} registered twice`);
    c.registered = true;
    this.remotes.set(c.remoteId, c.connId);
    this.out.push({ kind: "log", level: "debug", text: `Registering remote route ${JSON.stringify(c.remoteId)}` });
    this.out.push({ kind: "registered", connId: c.connId, remoteId: c.remoteId, remoteName: info.serverName });
    const others = [...this.remotes.values()].filter((id) => id !== c.connId);
    if (others.length > 0) {
      // Nonces are per connection; where the new server can be dialled is its advertised `ip`, else
      // the address it came from with its route port.
      const { nonce: _nonce, ...forward } = info;
      forward.ip = info.ip || `nats-route://${joinHostPort(remoteIp, info.port)}/`;
      this.out.push({ kind: "forwardInfo", connIds: others, info: forward });
    }
    if (this.cfg.advertise && info.connectUrls?.length) {
      c.connectUrls = [...info.connectUrls];
      if (this.peerUrls.add(c.connectUrls)) this.out.push({ kind: "peerUrls", urls: this.peerUrls.list() });
    }
  }

  /** The first registered connection to a server stays; `c` goes. */
  private duplicate(c: RouteConn, kept: RouteConn, remoteId: string): void {
    this.out.push({ kind: "log", level: "debug", text: `Detected duplicate remote route ${JSON.stringify(remoteId)}` });
    if (c.solicited) {
      kept.solicited = true;
      kept.target = c.target;
      kept.type = c.type;
    }
    kept.retry = true;
    this.closeConn(c, "Duplicate Route");
  }

  /** A later INFO: news of another server (gossip), or of the peer itself (lame duck). */
  private onAsyncInfo(c: RouteConn, info: RouteInfo): void {
    if (c.remoteId !== undefined && info.serverId !== c.remoteId) return this.gossiped(info);
    if (info.ldm && c.connectUrls.length > 0) {
      const changed = this.peerUrls.remove(c.connectUrls);
      c.connectUrls = [];
      if (changed) this.out.push({ kind: "peerUrls", urls: this.peerUrls.list() });
    }
  }

  private gossiped(info: RouteInfo): void {
    if (info.serverId === this.cfg.serverId || this.remotes.has(info.serverId)) return;
    const hostPort = joinHostPort(info.host, info.port);
    if (this.cfg.routes.some((r) => sameHost(r.hostPort, hostPort))) return;
    const parsed = parseGoUrl(info.ip ?? "");
    const where = parsed.ok ? parsed.url.host : "";
    if (where === "") {
      this.out.push({ kind: "log", level: "error", text: `Error parsing URL from INFO: ${JSON.stringify(info.ip ?? "")}` });
      return;
    }
    const target: RouteTarget = { hostPort: where };
    if (info.authRequired) {
      target.username = this.cfg.username ?? "";
      target.password = this.cfg.password ?? "";
    }
    this.dialNow(target, "implicit", false, true);
  }

  private applyName(decision: NameDecision, keep: RouteConn): void {
    if (decision.kind !== "adopt") return;
    this.name = decision.name;
    this.out.push({ kind: "clusterName", name: { ...decision.name } });
    for (const other of this.routes.values()) if (other !== keep && !other.closing) this.closeConn(other, "Cluster Name Conflict");
  }

  // --- closing ---

  private closeConn(c: RouteConn, reason: "Duplicate Route" | "Cluster Name Conflict" | "Duplicate Server Name"): void {
    c.closing = true;
    this.out.push({ kind: "close", connId: c.connId, reason });
  }

  private onClosed(connId: number, now: number): void {
    const c = this.routes.get(connId);
    if (!c) return;
    this.routes.delete(connId);
    if (c.registered && this.remotes.get(c.remoteId!) === connId) this.remotes.delete(c.remoteId!);
    if (c.connectUrls.length > 0 && this.peerUrls.remove(c.connectUrls)) this.out.push({ kind: "peerUrls", urls: this.peerUrls.list() });
    const retryImplicit = c.retry || (c.solicited && c.type === "implicit");
    if (!(c.solicited || retryImplicit) || !this.running || c.target === undefined) return;
    if (c.remoteId !== undefined && this.remotes.has(c.remoteId)) {
      this.out.push({ kind: "log", level: "debug", text: `Not attempting reconnect for solicited route, already connected to ${JSON.stringify(c.remoteId)}` });
      return;
    }
    if (c.remoteId === this.cfg.serverId) return;
    if (c.type === "implicit" && !retryImplicit) return;
    const jitter = Math.floor(this.cfg.random() * this.cfg.reconnectJitterMs);
    const explicit = c.type === "explicit";
    this.schedule(c.target, c.type, explicit, now + jitter + (explicit ? this.cfg.reconnectDelayMs : 0));
  }

  /** The connection, unless gone or being closed by us. */
  private live(connId: number): RouteConn | undefined {
    const c = this.routes.get(connId);
    return c && !c.closing ? c : undefined;
  }
}

function newConn(connId: number, solicited: boolean, type: RouteType): RouteConn {
  return { connId, solicited, type, infoReceived: false, registered: false, retry: false, connectUrls: [], closing: false };
}

/** nats-server compares route hosts without regard to case. */
function sameHost(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}
