import { test } from "node:test";
import assert from "node:assert/strict";
import { PubAckFormat } from "../../../src/jetstream/stream/pub-ack.js";

test("PubAckFormat writes nats-server's PubAck text for any sequence, stream name and domain", () => {
  const plain = new PubAckFormat("ORDERS", undefined);
  for (const seq of [1, 9, 10, 12345, 2 ** 31 - 1, 2 ** 31, 2 ** 53 - 1]) {
    assert.equal(plain.stored(seq).toString(), `{"stream":"ORDERS", "seq":${seq}}`);
  }
  assert.equal(new PubAckFormat("ÖRDERS", "hub").stored(7).toString(), '{"stream":"ÖRDERS", "domain":"hub", "seq":7}');
  assert.equal(plain.duplicate(3), '{"stream":"ORDERS", "seq":3,"duplicate": true}');
  const a = plain.stored(5);
  plain.stored(6);
  assert.equal(a.toString(), '{"stream":"ORDERS", "seq":5}', "each ack is its own buffer");
});
