/** Registers the stream side of the $JS.API: account info, STREAM.*, DIRECT.GET, and cluster-only calls. */
import { jsError } from "../errors.js";
import { registerDirectGet } from "./direct-get.js";
import type { ApiRouter } from "./router.js";
import { registerSnapshot } from "./snapshot.js";
import { registerStreamCrud } from "./stream-crud.js";
import { registerStreamMsg } from "./stream-msg.js";

/** Calls that only make sense in a cluster: answered as a stand-alone nats-server answers them. */
const CLUSTERED: [string, string][] = [
  ["STREAM.LEADER.STEPDOWN.*", "stream_leader_stepdown_response"],
  ["STREAM.PEER.REMOVE.*", "stream_remove_peer_response"],
  ["META.LEADER.STEPDOWN", "meta_leader_stepdown_response"],
  ["SERVER.REMOVE", "meta_server_remove_response"],
  ["ACCOUNT.PURGE.*", "account_purge_response"],
  ["ACCOUNT.STREAM.MOVE.*.*", "account_stream_move_response"],
  ["ACCOUNT.STREAM.CANCEL_MOVE.*.*", "account_stream_cancel_move_response"],
];

export function registerStreamRoutes(r: ApiRouter): void {
  registerStreamCrud(r);
  registerStreamMsg(r);
  registerDirectGet(r);
  registerSnapshot(r);
  for (const [pattern, type] of CLUSTERED) {
    r.add(pattern, type, () => {
      throw jsError("JSClusterRequiredErr");
    });
  }
}
