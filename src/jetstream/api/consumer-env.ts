/** The ConsumerEnv of a stream in an account: server, directories and the limits that cap consumers. */
import type { ConsumerEnv } from "../consumer/factory.js";
import type { StreamHandle } from "../contracts.js";
import type { JsAccount } from "../js-account.js";

function positive(v: unknown): number {
  return typeof v === "number" && v > 0 ? v : 0;
}

export function consumerEnv(jsa: JsAccount, stream: StreamHandle): ConsumerEnv {
  const server = jsa.server;
  const js = server.opts.jetstream;
  const serverLimits = js.limits ?? {};
  const cfg = stream.config as Record<string, unknown>;
  const cl = (cfg.consumer_limits ?? {}) as Record<string, unknown>;
  const replicas = typeof cfg.num_replicas === "number" ? cfg.num_replicas : 1;
  const acct = jsa.limitsFor(replicas) ?? jsa.effectiveLimits;
  return {
    server,
    domain: jsa.domain,
    maxMsgSize: positive(cfg.max_msg_size) || server.opts.maxPayload,
    obsDir: jsa.consumerDir(stream),
    limits: {
      serverMaxAckPending: positive(serverLimits.max_ack_pending),
      serverMaxRequestBatch: positive(serverLimits.max_request_batch),
      accountMaxAckPending: positive(acct.maxAckPending),
      streamMaxAckPending: positive(cl.max_ack_pending),
      streamInactiveThreshold: positive(cl.inactive_threshold),
    },
    accountMaxConsumers: acct.maxConsumers,
    syncIntervalMs: js.syncIntervalMs !== undefined && !js.syncAlways ? js.syncIntervalMs : undefined,
  };
}
