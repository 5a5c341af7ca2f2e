/**
 * Which option changes a running server can take on SIGHUP. Listeners, identity and storage location are
 * fixed for a process's life, as in nats-server; a reload that changes them is refused as a whole.
 */
import type { Options } from "./options.js";

const FIXED: (keyof Options)[] = ["host", "port", "serverName", "httpHost", "httpPort", "httpsPort", "httpBasePath", "portsFileDir"];

/** The names of fixed options that differ; empty when `next` can be applied. */
export function reloadProblems(current: Options, next: Options): string[] {
  const problems: string[] = FIXED.filter((k) => current[k] !== next[k]).map(String);
  if (current.jetstream.storeDir !== next.jetstream.storeDir) problems.push("jetstream store_dir");
  // The leaf listener and remotes are set up once (reloading them is not served yet).
  if (JSON.stringify(current.leafnodes) !== JSON.stringify(next.leafnodes)) problems.push("leafnodes");
  // The websocket listener keeps the block it started with, as nats-server does.
  if (JSON.stringify(current.websocket) !== JSON.stringify(next.websocket)) problems.push("websocket");
  return problems;
}
