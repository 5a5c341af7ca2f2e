/**
 * The shape every monitoring endpoint shares: what a request carries in, what a handler hands back, and
 * the monitor's own state (request counters, CPU sampling).
 */
import type { Server } from "../server/server.js";
import { CpuMeter } from "./usage.js";

export class MonitorState {
  /** Requests per endpoint path, without the base path (`/varz` `http_req_stats`). */
  readonly httpReqStats = new Map<string, number>();
  readonly cpu = new CpuMeter();

  /** `basePath` is normalised: "" or "/something" without a trailing slash. */
  constructor(readonly basePath: string) {}
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
  | { kind: "html"; body: string };

export type Endpoint = (req: MonitorRequest) => Reply;

export function json(body: unknown, status?: number): Reply {
  return { kind: "json", body, indent: true, status };
}
