import type { TlsOptions } from "./tls-options.js";

/**
 * The `leafnodes` block (spec §7.3): the hub side (a listener, the credentials a leaf's CONNECT must
 * carry and the account it binds to) and the leaf side (`remotes`: hubs this server dials).
 */
export interface LeafUser {
  user: string;
  /** Plain text or a bcrypt hash. */
  password: string;
  /** The account the leaf connection binds to on this server; undefined: the global account. */
  account?: string;
}

export interface LeafRemote {
  /** `nats://[user:pass@]host:port` (also nats-leaf://, tls://); tried in turn. */
  urls: string[];
  /** The local account the link binds to; undefined: the global account. */
  account?: string;
  /** A .creds file: its user JWT and a signature of the hub's nonce go in CONNECT. */
  credentials?: string;
  /** Subjects the hub may not send here (its interest in them is not asked for). */
  denyImports: string[];
  /** Subjects not sent to the hub. */
  denyExports: string[];
  /** This server is the hub of the link (it takes the spoke's role reversed). */
  hub: boolean;
  /** The remote's `tls` block: its certificate, the CA the hub's is checked against. */
  tls?: TlsOptions;
  /** A `tls://` URL or a `tls` block: the link never runs in plain text. */
  tlsRequired: boolean;
}

export interface LeafNodeOptions {
  host: string;
  /** 0: no listener (a leaf-only server); -1: a random port. */
  port: number;
  advertise?: string;
  /** Keep this server's leaf URL out of the INFO sent to leaves (gossip). */
  noAdvertise: boolean;
  /** A single user (`authorization { user, password, account }`). */
  username?: string;
  password?: string;
  account?: string;
  users: LeafUser[];
  authTimeoutMs?: number;
  /** The listener's `tls` block: every accepted leaf must complete the TLS handshake after INFO. */
  tls?: TlsOptions;
  remotes: LeafRemote[];
  /** The delay between attempts to dial a remote (nats-server's `reconnect`, 1 s by default). */
  reconnectMs: number;
}

export const DEFAULT_LEAF_PORT = 7422;
