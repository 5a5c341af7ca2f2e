/**
 * The shape every monitoring endpoint shares: what a request carries in, what a handler hands back, and
 * the monitor's own state (request counters, CPU sampling), which the HTTP listener and the `$SYS`
 * monitoring requests share.
 */
import { posix } from "node:path";
import type { Server } from "../server/server.js";
import { CpuMeter } from "./usage.js";

export class MonitorState {
  /** Requests per endpoint path, without the base path (`/varz` `http_req_stats`). */
  readonly httpReqStats = new Map<string, number>();
  readonly cpu = new CpuMeter();
  /** "" or "/something" without a trailing slash. */
  readonly basePath: string;

  /** `httpBasePath`: the option as configured (`http_base_path`). */
  constructor(httpBasePath: string) {
    this.basePath = normaliseBasePath(httpBasePath);
  }
}

/** "" for none, else "/a/b": one leading slash, no trailing one (so "/" is none). */
export function normaliseBasePath(p: string): string {
  if (p === "") return "";
  return posix.normalize(`/${p}`).replace(/\/+$/, "");
}

export interface MonitorRequest {
  readonly server: Server;
  readonly query: URLSearchParams;
  readonly state: MonitorState;
  /**
   * Counts the request in `http_req_stats`. Handlers call it where nats-server counts: most before
   * decoding their parameters, /connz and /routez only after (a malformed request is not counted there).
   */
  count(): void;
}

export type Reply =
  /** `indent`: MarshalIndent layout (every endpoint but /healthz). */
  | { kind: "json"; body: unknown; indent: boolean; status?: number }
  | { kind: "html"; body: string }
  /** Any other text format, such as /metrics' Prometheus exposition. */
  | { kind: "text"; body: string; contentType: string; status?: number };

export type Endpoint = (req: MonitorRequest) => Reply;

export function json(body: unknown, status?: number): Reply {
  return { kind: "json", body, indent: true, status };
}
