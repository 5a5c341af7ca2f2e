import { test } from "node:test";
import assert from "node:assert/strict";
import { goJson } from "../../src/util/go-json.js";

test("goJson writes MarshalIndent's layout and Go's HTML-safe escapes", () => {
  assert.equal(goJson({ a: 1, b: [], c: {}, d: ["x"] }, true), '{\n  "a": 1,\n  "b": [],\n  "c": {},\n  "d": [\n    "x"\n  ]\n}');
  assert.equal(goJson({ s: "foo.> <&> \u2028\u2029" }, false), '{"s":"foo.\\u003e \\u003c\\u0026\\u003e \\u2028\\u2029"}');
  assert.equal(goJson({ status: "ok" }), '{"status":"ok"}');
});

test("goJson escapes every unsafe character, in keys too, and leaves other text as JSON.stringify writes it", () => {
  assert.equal(goJson({ "a&b": "<<>>" }), '{"a\\u0026b":"\\u003c\\u003c\\u003e\\u003e"}');
  const plain = { s: "é \u0001 \"q\" \\", n: [1.5, null, true] };
  assert.equal(goJson(plain), JSON.stringify(plain));
});
