/**
 * Delivery to targets that are not clients: every plain subscription and one member per queue group are
 * offered the message, and a gathering target (what a route is: one RMSG per message, naming the queue
 * groups it was chosen for) writes once, after everyone was offered it.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Sublist } from "../../src/subjects/sublist.js";
import { deliver } from "../../src/server/delivery.js";
import { Outgoing, type GatheringTarget } from "../../src/server/outgoing.js";
import { Subscription, type DeliveryTarget } from "../../src/server/subscription.js";

/** Records, per message, whether a plain subscription matched and which queue groups chose it. */
class RouteLike implements DeliveryTarget, GatheringTarget {
  readonly cid = 7;
  readonly remote = true;
  readonly closed = false;
  readonly pending = 0;
  readonly written: string[] = [];
  private plain = false;
  private queues: string[] = [];
  private gathering = false;

  deliverMessage(sub: Subscription, msg: Outgoing): boolean {
    if (!this.gathering) {
      this.gathering = true;
      msg.gatheredBy(this);
    }
    if (sub.queue === undefined) this.plain = true;
    else this.queues.push(sub.queue);
    return true;
  }

  finishMessage(msg: Outgoing): void {
    // Queue groups come in the Sublist's order, which is no contract: sorted here.
    this.written.push(`${msg.subject} plain=${this.plain} queues=${this.queues.sort().join(",")} size=${msg.payload.length}`);
    this.plain = false;
    this.queues = [];
    this.gathering = false;
  }
}

describe("delivery to a gathering target", () => {
  it("writes one op per message with every queue group that chose it", () => {
    const route = new RouteLike();
    const sl = new Sublist<Subscription>();
    for (const [subject, queue] of [["foo", undefined], ["foo.>", undefined], ["foo", "q1"], [">", "q2"]] as const) {
      sl.insert(new Subscription(route, subject, queue, `r-${subject}-${queue ?? ""}`));
    }
    const msg = new Outgoing();
    assert.equal(deliver(sl.match("foo"), msg.set("foo", undefined, Buffer.from("hi"), -1), undefined), 3);
    assert.equal(deliver(sl.match("bar"), msg.set("bar", undefined, Buffer.from("abc"), -1), undefined), 1);
    assert.deepEqual(route.written, ["foo plain=true queues=q1,q2 size=2", "bar plain=false queues=q2 size=3"]);
  });

  it("asks nothing of targets that write as they go", () => {
    const offered: string[] = [];
    const plain: DeliveryTarget = {
      cid: 1,
      remote: false,
      closed: false,
      pending: 0,
      deliverMessage(sub) {
        offered.push(sub.sid);
        return true;
      },
    };
    const sl = new Sublist<Subscription>();
    sl.insert(new Subscription(plain, "a", undefined, "1"));
    sl.insert(new Subscription(plain, "a", "q", "2"));
    assert.equal(deliver(sl.match("a"), new Outgoing().set("a", undefined, Buffer.alloc(0), -1), undefined), 2);
    assert.deepEqual(offered.sort(), ["1", "2"]);
  });
});
