import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { chartArea, RateGraph } from "../../src/cli/sub-graph.js";
import { runCli } from "./support.js";

describe("sub --graph", () => {
  test("each subject's per-second rate is charted with its caption, sized to the terminal", () => {
    const g = new RateGraph(["a.>", "b"]);
    for (let i = 0; i < 30; i++) g.add("a.>");
    g.add("b");
    const first = g.tick({ columns: 40, rows: 26 });
    for (let i = 0; i < 10; i++) g.add("a.>");
    const second = g.tick({ columns: 40, rows: 26 }).split("\n");
    assert.match(first, /a\.> \/ second/);
    const captionA = second.findIndex((l) => l.includes("a.> / second"));
    const captionB = second.findIndex((l) => l.includes("b / second"));
    assert.ok(captionA > 0 && captionB > captionA, "a chart per subject, in order");
    // (26 - 6) / 3 - 1 = 5 rows per chart: 6 lines with the top value's, plus the caption.
    assert.equal(captionA, 6);
    assert.match(second[0]!, /^\s+30 [┤┼]/, "the scale tops at the highest rate");
  });

  test("too small a terminal, no terminal, or more than 4 subjects are refused", async () => {
    assert.throws(() => chartArea({ columns: 19, rows: 40 }), /please increase terminal dimensions/);
    assert.throws(() => new RateGraph(["a", "b", "c", "d", "e"]), /maximum 4 subject patterns may be graphed/);
    const r = await runCli(["-s", "nats://127.0.0.1:1", "sub", "x", "--graph"]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^tsnats: error: failed to get terminal dimensions/);
  });
});
