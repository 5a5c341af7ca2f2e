import { test } from "node:test";
import assert from "node:assert/strict";
import { tokenize, type Token } from "../../src/config/conf-lexer.js";
import { ConfigError } from "../../src/config/config-error.js";

/** Tokens as short strings: `key:port`, `int:4222`, `[`, `]`, `{`, `}`. */
function lex(text: string): string[] {
  return tokenize(text, "t.conf")
    .filter((t) => t.kind !== "eof")
    .map((t: Token): string => {
      switch (t.kind) {
        case "key":
          return `key:${t.text}`;
        case "include":
          return `include:${t.path}`;
        case "variable":
          return `var:${t.name}`;
        case "datetime":
          return `datetime:${t.value.toISOString()}`;
        case "string":
        case "int":
        case "float":
        case "bool":
          return `${t.kind}:${String(t.value)}`;
        default:
          return { arrayStart: "[", arrayEnd: "]", mapStart: "{", mapEnd: "}", eof: "EOF" }[t.kind];
      }
    });
}

/** The error's `line:col` (1-based columns) and message. */
function lexError(text: string): { line: number; col: number; message: string } {
  try {
    tokenize(text, "t.conf");
  } catch (e) {
    assert.ok(e instanceof ConfigError, String(e));
    return { line: e.pos!.line, col: e.pos!.col, message: e.problems[0]!.message };
  }
  assert.fail(`no error for ${JSON.stringify(text)}`);
}

test("separators: '=', ':', whitespace", () => {
  for (const text of ["port = 4222", "port: 4222", "port 4222", "port\t4222", "port:4222", "port=4222", "port :4222"]) {
    assert.deepEqual(lex(text), ["key:port", "int:4222"], text);
  }
});

test("without a separator the value may start on a later line", () => {
  assert.deepEqual(lex("authorization\n{\n user: a\n}"), ["key:authorization", "{", "key:user", "string:a", "}"]);
  assert.deepEqual(lex("port\n\n4222"), ["key:port", "int:4222"]);
});

test("a lone key at the end of the file is ignored, as nats-server does", () => {
  assert.deepEqual(lex("port: 1\ndebug"), ["key:port", "int:1"]);
});

test("quoted keys keep spaces and separators", () => {
  assert.deepEqual(lex('"a b": 1\n\'c:d\' = 2'), ["key:a b", "int:1", "key:c:d", "int:2"]);
});

test("entries end with newline, ',' or ';'", () => {
  assert.deepEqual(lex("a: 1, b: 2; c: 3\nd: 4"), ["key:a", "int:1", "key:b", "int:2", "key:c", "int:3", "key:d", "int:4"]);
  assert.deepEqual(lex("a: 1;;\n;\nb: 2 ,\n"), ["key:a", "int:1", "key:b", "int:2"]);
  assert.deepEqual(lex("m { a: 1; b: 2, c: 3\n d: 4, }"), ["key:m", "{", "key:a", "int:1", "key:b", "int:2", "key:c", "int:3", "key:d", "int:4", "}"]);
  assert.deepEqual(lex("a: 1\r\nb: 2\r\n"), ["key:a", "int:1", "key:b", "int:2"]);
});

test("comments: '#' and '//' to the end of the line", () => {
  assert.deepEqual(lex("# top\nport: 1 # after\n// whole line\nm { a: 1 // in a map\n}\nx: [1, # in an array\n 2]"), [
    "key:port", "int:1", "key:m", "{", "key:a", "int:1", "}", "key:x", "[", "int:1", "int:2", "]",
  ]);
  // Inside a bare word they are just characters.
  assert.deepEqual(lex("a: x#y\nb: u//v"), ["key:a", "string:x#y", "key:b", "string:u//v"]);
});

test("strings: bare, double-quoted with escapes, single-quoted raw, multi-line", () => {
  assert.deepEqual(lex("a: hello"), ["key:a", "string:hello"]);
  assert.deepEqual(lex("a: nats://u:p@host:4222/x"), ["key:a", "string:nats://u:p@host:4222/x"]);
  assert.deepEqual(lex('a: "t\\tn\\nr\\rq\\"b\\\\x\\x41"'), ["key:a", 'string:t\tn\nr\rq"b\\xA']);
  assert.deepEqual(lex('a: "\\xc3\\xa9t\\xc3\\xa9"'), ["key:a", "string:été"]);
  assert.deepEqual(lex("a: 'no \\t escapes'"), ["key:a", "string:no \\t escapes"]);
  assert.deepEqual(lex('a: "two\nlines"'), ["key:a", "string:two\nlines"]);
  assert.deepEqual(lex('a: "héllo ☃"'), ["key:a", "string:héllo ☃"]);
  assert.deepEqual(lex('a: ""'), ["key:a", "string:"]);
  assert.deepEqual(lex("a: x{y"), ["key:a", "string:x{y"]);
  // A bare word ends at whitespace, ',', ';', '}' and ']'.
  assert.deepEqual(lex("m {a: b}"), ["key:m", "{", "key:a", "string:b", "}"]);
});

test("integers, negative integers and size suffixes", () => {
  assert.deepEqual(lex("a: 42\nb: -7\nc: 010"), ["key:a", "int:42", "key:b", "int:-7", "key:c", "int:10"]);
  const sizes: [string, number][] = [
    ["1k", 1000], ["1K", 1000], ["1kb", 1024], ["1KB", 1024], ["1ki", 1024], ["1KiB", 1024],
    ["2m", 2_000_000], ["2MB", 2_097_152], ["2mi", 2_097_152], ["1g", 1e9], ["1GB", 1024 ** 3],
    ["1t", 1e12], ["1tb", 1024 ** 4], ["1p", 1e15], ["1e", 1e18], ["1eib", 2 ** 60], ["-1k", -1000],
  ];
  for (const [text, n] of sizes) assert.deepEqual(lex(`a: ${text}`), ["key:a", `int:${n}`], text);
});

test("floats", () => {
  assert.deepEqual(lex("a: 1.5\nb: -0.25\nc: 2.0"), ["key:a", "float:1.5", "key:b", "float:-0.25", "key:c", "float:2"]);
});

test("words that start with digits but are not numbers are strings", () => {
  for (const text of ["127.0.0.1", "127.0.0.1:4222", "1.2.3", "1:2", "1/2", "1xb", "12ab", "1z", "0x10", "1_000", "1kx", "1b"]) {
    assert.deepEqual(lex(`a: ${text}`), ["key:a", `string:${text}`], text);
  }
});

test("booleans: true/false/yes/no/on/off in any case", () => {
  for (const t of ["true", "TRUE", "yes", "Yes", "on", "ON"]) assert.deepEqual(lex(`a: ${t}`), ["key:a", "bool:true"], t);
  for (const f of ["false", "no", "NO", "off", "Off"]) assert.deepEqual(lex(`a: ${f}`), ["key:a", "bool:false"], f);
  assert.deepEqual(lex("a: y"), ["key:a", "string:y"]);
  assert.deepEqual(lex('a: "true"'), ["key:a", "string:true"]);
});

test("datetimes in Zulu form", () => {
  assert.deepEqual(lex("a: 2021-06-01T12:30:45Z"), ["key:a", "datetime:2021-06-01T12:30:45.000Z"]);
});

test("arrays: commas or newlines, nesting, trailing comma", () => {
  assert.deepEqual(lex("a: [1, 2, 3]"), ["key:a", "[", "int:1", "int:2", "int:3", "]"]);
  assert.deepEqual(lex("a: [1,2]"), ["key:a", "[", "int:1", "int:2", "]"]);
  assert.deepEqual(lex("a: [\n x\n y\n\n z\n]"), ["key:a", "[", "string:x", "string:y", "string:z", "]"]);
  assert.deepEqual(lex("a: [a, b,]"), ["key:a", "[", "string:a", "string:b", "]"]);
  assert.deepEqual(lex("a: []\nb: [ ]"), ["key:a", "[", "]", "key:b", "[", "]"]);
  assert.deepEqual(lex("a: [[1], {b: 2}, \"s\"]"), ["key:a", "[", "[", "int:1", "]", "{", "key:b", "int:2", "}", "string:s", "]"]);
});

test("maps nest", () => {
  assert.deepEqual(lex("a { b { c: 1 } }"), ["key:a", "{", "key:b", "{", "key:c", "int:1", "}", "}"]);
  assert.deepEqual(lex("a: {}"), ["key:a", "{", "}"]);
});

test("block strings run to a ')' alone at the start of a line", () => {
  assert.deepEqual(lex("a = (\nfoo\n)\n"), ["key:a", "string:\nfoo\n"]);
  assert.deepEqual(lex("a = (\n  x y\n  z)\n)\nb: 1"), ["key:a", "string:\n  x y\n  z)\n", "key:b", "int:1"]);
  assert.deepEqual(lex("a = (\nfoo\n)"), ["key:a", "string:\nfoo\n"]);
});

test("include is a keyword at key position, any case, quoted or bare path", () => {
  assert.deepEqual(lex("include ./a.conf\nINCLUDE 'b c.conf'\nm { include \"d.conf\" }"), [
    "include:./a.conf", "include:b c.conf", "key:m", "{", "include:d.conf", "}",
  ]);
  // With a separator it is an ordinary key.
  assert.deepEqual(lex("include: x"), ["key:include", "string:x"]);
});

test("variables, and bcrypt hashes that are not variables", () => {
  assert.deepEqual(lex("a: $FOO\nb: [$x, $y]"), ["key:a", "var:FOO", "key:b", "[", "var:x", "var:y", "]"]);
  assert.deepEqual(lex("p: $2a$11$abcdefghijk"), ["key:p", "string:$2a$11$abcdefghijk"]);
  assert.deepEqual(lex('p: "$FOO"'), ["key:p", "string:$FOO"]);
});

test("syntax errors name line and column", () => {
  const cases: [string, number, number, RegExp][] = [
    ['a: "abc', 1, 8, /Unexpected EOF/],
    ["a: 'abc\n", 2, 1, /Unexpected EOF/],
    ['a: "\\q"', 1, 6, /Invalid escape character 'q'/],
    ['a: "\\xZZ"', 1, 5, /two hexadecimal digits/],
    ["port: 1\nfoo: 1 2", 2, 8, /top-level value to end .* but got '2'/],
    ["m {\n a: 1 b: 2\n}", 2, 7, /map value terminator .* but got 'b'/],
    ["a: [1 2]", 1, 7, /array value terminator .* but got '2'/],
    ["a: [1;2]", 1, 6, /array value terminator .* but got ';'/],
    ["a: [a,,b]", 1, 7, /Unexpected array value terminator ','/],
    ["a: [,a]", 1, 5, /Unexpected array value terminator ','/],
    ["a: [1, 2", 1, 9, /Unexpected EOF processing array/],
    ["m {\n a: 1\n", 3, 1, /Unexpected EOF processing map/],
    ["port =\n4222", 2, 1, /Expected value but found new line/],
    ["= 1", 1, 1, /Unexpected key separator '='/],
    ["port: 1\n}", 2, 1, /Unexpected '}'/],
    ["a: -x", 1, 5, /Expected a digit but got 'x'/],
    ["a: .5", 1, 4, /Floats must start with a digit/],
    ["a: 1.\n", 1, 4, /Floats must have a digit after the '.'/],
    ["a: 1.5k", 1, 7, /after '1.5', but got 'k'/],
    ["a: 2021-01-01", 1, 4, /Zulu form/],
    ["a: 2021-01-01T00:00:00+01:00", 1, 4, /Zulu form/],
    ["a = (\nfoo\n", 3, 1, /Unexpected EOF processing block/],
    ["a: 99999999999999999999", 1, 4, /out of the range/],
  ];
  for (const [text, line, col, message] of cases) {
    const e = lexError(text);
    assert.deepEqual([e.line, e.col], [line, col], `${JSON.stringify(text)}: ${e.message}`);
    assert.match(e.message, message, JSON.stringify(text));
  }
});
