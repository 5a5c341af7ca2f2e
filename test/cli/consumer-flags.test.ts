/** `consumer add` and `consumer edit` take their configuration flags from one list. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { Command } from "commander";
import { addConsumerConfigFlags } from "../../src/cli/consumer-flags.js";

const flagsOf = (verb: "add" | "edit") =>
  new Map(addConsumerConfigFlags(new Command(verb), verb).options.map((o) => [o.long!, o]));

test("edit offers add's flags minus those a server will not change, with the same help and defaults", () => {
  const add = flagsOf("add");
  const edit = flagsOf("edit");
  assert.deepEqual([...add.keys()].filter((f) => !edit.has(f)).sort(),
    ["--ack", "--deliver", "--flow-control", "--pull", "--replay", "--target"]);
  for (const [long, o] of edit) {
    const a = add.get(long);
    assert.ok(a, `${long} is an add flag`);
    assert.deepEqual([o.flags, o.description, o.defaultValue], [a.flags, a.description, a.defaultValue], long);
  }
  assert.equal(edit.get("--backoff-steps")!.defaultValue, "10");
  const parsed = addConsumerConfigFlags(new Command("edit"), "edit").parse(["--filter", "a", "--filter", "b"], { from: "user" });
  assert.deepEqual(parsed.opts().filter, ["a", "b"], "--filter repeats into a list");
});
