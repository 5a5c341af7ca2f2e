import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseConfigFile, parseConfigText } from "../../src/config/conf-parser.js";
import { mapToPlain } from "../../src/config/conf-tree.js";
import { ConfigError, formatPos } from "../../src/config/config-error.js";

function plain(text: string, env: Record<string, string> = {}): Record<string, unknown> {
  return mapToPlain(parseConfigText(text, "t.conf", { env }));
}

function parseError(run: () => unknown): ConfigError {
  try {
    run();
  } catch (e) {
    assert.ok(e instanceof ConfigError, String(e));
    return e;
  }
  assert.fail("expected a ConfigError");
}

/** A temp directory with the given files (paths relative to it). */
function files(tree: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "tsnats-conf-"));
  for (const [path, text] of Object.entries(tree)) {
    mkdirSync(join(dir, path, ".."), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

test("builds nested maps and arrays with typed values", () => {
  const doc = parseConfigText('a { b: [1, 1.5, "s", true, 2020-01-02T03:04:05Z, {c: d}] }', "t.conf");
  const a = doc.get("a")!.value;
  assert.equal(a.kind, "map");
  const b = a.kind === "map" ? a.value.get("b")!.value : undefined;
  assert.equal(b?.kind, "array");
  const kinds = b?.kind === "array" ? b.value.map((v) => v.kind) : [];
  assert.deepEqual(kinds, ["int", "float", "string", "bool", "datetime", "map"]);
  assert.deepEqual(plain("a { b: [1, 1.5, s, {c: d}] }"), { a: { b: [1, 1.5, "s", { c: "d" }] } });
});

test("keys keep their positions, including quoted keys and nested ones", () => {
  const doc = parseConfigText('port: 1\n  "quoted": 2\nm {\n    inner: 3\n}', "t.conf");
  assert.deepEqual(doc.get("port")!.keyPos, { file: "t.conf", line: 1, col: 1 });
  assert.deepEqual(doc.get("quoted")!.keyPos, { file: "t.conf", line: 2, col: 4 });
  const m = doc.get("m")!.value;
  assert.ok(m.kind === "map");
  assert.deepEqual(m.value.get("inner")!.keyPos, { file: "t.conf", line: 4, col: 5 });
});

test("positions print as nats-server does: 0-based column on line 1, 1-based after", () => {
  assert.equal(formatPos({ file: "c.conf", line: 1, col: 1 }), "c.conf:1:0");
  assert.equal(formatPos({ file: "c.conf", line: 2, col: 3 }), "c.conf:2:3");
});

test("a repeated key: the last one wins", () => {
  assert.deepEqual(plain("port: 1\nport: 2"), { port: 2 });
});

test("variables: defined earlier in the same or an enclosing map", () => {
  assert.deepEqual(plain("a = 4222\nport = $a"), { a: 4222, port: 4222 });
  assert.deepEqual(plain("u = x\nauth { user = $u }"), { u: "x", auth: { user: "x" } });
  assert.deepEqual(plain("v = outer\nm { v = inner\n w = $v }"), { v: "outer", m: { v: "inner", w: "inner" } });
  assert.deepEqual(plain("t = [a, b]\nl = $t"), { t: ["a", "b"], l: ["a", "b"] });
  assert.deepEqual(plain("m = {x: 1}\nn = $m"), { m: { x: 1 }, n: { x: 1 } });
  assert.deepEqual(plain("a = 1\nl = [$a, $a]"), { a: 1, l: [1, 1] });
});

test("a used variable is marked so it is not reported as an unknown field", () => {
  const doc = parseConfigText("a = 1\nb = 2\nport = $a", "t.conf");
  assert.equal(doc.get("a")!.usedAsVariable, true);
  assert.equal(doc.get("b")!.usedAsVariable, false);
  // Redefined after use: the new entry is a plain key again.
  assert.equal(parseConfigText("a = 1\np = $a\na = 2", "t.conf").get("a")!.usedAsVariable, false);
});

test("a variable takes the reference's position", () => {
  const doc = parseConfigText("a = 1\n\nport = $a", "t.conf");
  assert.equal(doc.get("port")!.value.pos.line, 3);
});

test("variables from inner maps or later lines are not visible", () => {
  const e1 = parseError(() => plain("m { u = x }\nport = $u"));
  assert.equal(e1.message, "t.conf:2:8: variable reference for 'u' on line 2 can not be found");
  const e2 = parseError(() => plain("port = $b\nb = 1"));
  assert.equal(e2.message, "t.conf:1:7: variable reference for 'b' on line 1 can not be found");
  assert.match(parseError(() => plain("port = $")).message, /variable reference for '' on line 1 can not be found/);
});

test("environment variables are parsed as config values", () => {
  assert.deepEqual(plain("a = $PX", { PX: "1k" }), { a: 1000 });
  assert.deepEqual(plain("a = $PX", { PX: "abc" }), { a: "abc" });
  assert.deepEqual(plain("a = $PX", { PX: '"quoted"' }), { a: "quoted" });
  assert.deepEqual(plain("a = $PX", { PX: "[1, 2]" }), { a: [1, 2] });
  assert.deepEqual(plain("a = $PX", { PX: "" }), { a: "" });
  assert.deepEqual(plain("a = $PX", { PX: "yes" }), { a: true });
  assert.deepEqual(plain("a = $PX", { PX: "$PY", PY: "5" }), { a: 5 });
  // A key in the file wins over the environment.
  assert.deepEqual(plain("PX = 1\na = $PX", { PX: "2" }), { PX: 1, a: 1 });
});

test("environment values may refer to the environment only, not to keys in the file", () => {
  const e = parseError(() => plain("k = 1\na = $PX", { PX: "$k" }));
  assert.match(e.message, /variable reference for 'PX' on line 2 could not be parsed: variable reference for 'k'/);
});

test("an environment value that is not a value is an error", () => {
  const e = parseError(() => plain("a = $PX", { PX: "1 2" }));
  assert.match(e.message, /^t\.conf:1:4: variable reference for 'PX' on line 1 could not be parsed: .*but got '2'/);
});

test("reference cycles through the environment are detected", () => {
  const self = parseError(() => plain("a = $PX", { PX: "$PX" }));
  assert.match(self.message, /variable reference cycle for 'PX'.*PX -> PX/);
  const loop = parseError(() => plain("a = [$A]", { A: "$B", B: "$C", C: "$A" }));
  assert.match(loop.message, /variable reference cycle for 'A'.*A -> B -> C -> A/);
});

test("include: relative to the including file, merged in place, also inside maps", () => {
  const dir = files({
    "main.conf": "port: 1\ninclude sub/a.conf\nauth {\n  include sub/users.conf\n}\nafter = $fromInclude\n",
    "sub/a.conf": "server_name: s1\nfromInclude = 7\ninclude nested.conf\n",
    "sub/nested.conf": "debug: true\n",
    "sub/users.conf": "user: a\npassword: b\n",
  });
  const doc = parseConfigFile(join(dir, "main.conf"));
  assert.deepEqual(mapToPlain(doc), {
    port: 1,
    server_name: "s1",
    fromInclude: 7,
    debug: true,
    auth: { user: "a", password: "b" },
    after: 7,
  });
  // Positions point into the included file.
  assert.equal(doc.get("debug")!.keyPos.file, join(dir, "sub", "nested.conf"));
  assert.equal(doc.get("debug")!.keyPos.line, 1);
});

test("an included file does not see the includer's variables", () => {
  const dir = files({ "main.conf": "x = 5\ninclude v.conf\n", "v.conf": "port: $x\n" });
  const e = parseError(() => parseConfigFile(join(dir, "main.conf")));
  assert.equal(e.message, `${join(dir, "v.conf")}:1:6: variable reference for 'x' on line 1 can not be found`);
});

test("include errors: missing file, cycles", () => {
  const dir = files({
    "missing.conf": "port: 1\ninclude nope.conf\n",
    "loop-a.conf": "include loop-b.conf\n",
    "loop-b.conf": "include loop-a.conf\n",
    "self.conf": "include self.conf\n",
  });
  const missing = parseError(() => parseConfigFile(join(dir, "missing.conf")));
  assert.equal(
    missing.message,
    `${join(dir, "missing.conf")}:2:1: error parsing include file 'nope.conf', open ${join(dir, "nope.conf")}: no such file or directory`,
  );
  assert.match(parseError(() => parseConfigFile(join(dir, "loop-a.conf"))).message, /include cycle: .*loop-a\.conf -> .*loop-b\.conf -> .*loop-a\.conf/);
  assert.match(parseError(() => parseConfigFile(join(dir, "self.conf"))).message, /include cycle/);
});

test("a missing main file reads like nats-server's error", () => {
  const e = parseError(() => parseConfigFile("/nonexistent/x.conf"));
  assert.equal(e.message, "open /nonexistent/x.conf: no such file or directory");
  assert.equal(e.pos, undefined);
});

test("syntax errors in an included file name that file", () => {
  const dir = files({ "main.conf": "\ninclude bad.conf\n", "bad.conf": "a: 1\nb: [1 2]\n" });
  const e = parseError(() => parseConfigFile(join(dir, "main.conf")));
  assert.equal(e.pos?.file, join(dir, "bad.conf"));
  assert.equal(e.pos?.line, 2);
});
