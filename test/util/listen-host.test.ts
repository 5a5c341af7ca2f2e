/**
 * nats-server binds `0.0.0.0` as Go does, one dual-stack socket that `::1` reaches too (seen on 2.9.10:
 * `-a 0.0.0.0` listens on `*`, and nats.js's "tls - custom ca fails without root" connects to
 * `localhost`, which resolves to `::1` first). Tests here do not bind every interface, so the mapping to
 * node's dual-stack default is what is pinned.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { listenHost } from "../../src/util/listen-host.js";

test("the unspecified addresses bind node's dual-stack default; any other host binds as given", () => {
  assert.equal(listenHost("0.0.0.0"), undefined);
  assert.equal(listenHost("::"), undefined);
  assert.equal(listenHost(""), undefined);
  assert.equal(listenHost("127.0.0.1"), "127.0.0.1");
  assert.equal(listenHost("::1"), "::1");
});
