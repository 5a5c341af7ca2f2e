import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Doorkeeper, DOORKEEPER_GENERATION } from "../../src/subjects/doorkeeper.js";

describe("Doorkeeper", () => {
  it("says a key is new on first sight and seen on the second", () => {
    const d = new Doorkeeper();
    assert.equal(d.seenBefore("$JS.ACK.s.c.1.1.1.0.0"), false);
    assert.equal(d.seenBefore("$JS.ACK.s.c.1.1.1.0.0"), true);
    assert.equal(d.seenBefore("$JS.ACK.s.c.1.1.1.0.0"), true);
  });

  it("remembers a key for at least a generation of other keys after any sight, and forgets it after two", () => {
    const d = new Doorkeeper();
    let forgotten = 0;
    let seq = 0;
    for (let i = 0; i < 100; i++) {
      const key = `k.${i}`;
      d.seenBefore(key);
      // Each other key records at most once.
      for (let k = 0; k < DOORKEEPER_GENERATION - 1; k++) d.seenBefore(`other.${seq++}`);
      assert.equal(d.seenBefore(key), true, key);
      const again = `again.${i}`;
      d.seenBefore(again);
      for (let k = 0; k < 2 * DOORKEEPER_GENERATION; k++) d.seenBefore(`other.${seq++}`);
      if (!d.seenBefore(again)) forgotten++;
    }
    assert.equal(forgotten, 100);
  });

  it("never mistakes an unseen key for a seen one", () => {
    const d = new Doorkeeper();
    for (let i = 0; i < 100_000; i++) assert.equal(d.seenBefore(`_INBOX.abcdefghijklmnop.${i}`), false);
  });
});
