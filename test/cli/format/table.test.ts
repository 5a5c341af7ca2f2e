import { test } from "node:test";
import assert from "node:assert/strict";
import { renderTable } from "../../../src/cli/format/table.js";
import { Columns } from "../../../src/cli/format/columns.js";

test("tables are drawn in the nats CLI's rounded style with a centred title box", () => {
  const out = renderTable("Streams", ["Name", "Messages"], [["ORDERS", "1,234"], ["LOGS", "0"]]);
  assert.equal(out, [
    "╭───────────────────╮",
    "│      Streams      │",
    "├────────┬──────────┤",
    "│ Name   │ Messages │",
    "├────────┼──────────┤",
    "│ ORDERS │ 1,234    │",
    "│ LOGS   │ 0        │",
    "╰────────┴──────────╯",
  ].join("\n"));
});

test("a footer row is set off by a rule", () => {
  const out = renderTable("Servers", ["Name", "Conns"], [["a", 1], ["b", 2]], ["", 3]);
  assert.equal(out.split("\n").slice(5).join("\n"), [
    "│ a    │ 1     │",
    "│ b    │ 2     │",
    "├──────┼───────┤",
    "│      │ 3     │",
    "╰──────┴───────╯",
  ].join("\n"));
});

test("columns right-align labels on the longest one and put sections between blank lines", () => {
  const cols = new Columns("Information for Stream X").row("Subjects", "a.>").section("Limits").row("Maximum Messages", "unlimited");
  assert.equal(cols.render(), [
    "Information for Stream X",
    "",
    "          Subjects: a.>",
    "",
    "Limits:",
    "",
    "  Maximum Messages: unlimited",
  ].join("\n"));
});
