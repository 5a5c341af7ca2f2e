import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  hasWildcard,
  isValidLiteralSubject,
  isValidPublishSubject,
  isValidQueueName,
  isValidSubject,
  isValidSubscribeSubject,
  subjectIsSubsetOf,
  subjectMatches,
  subjectsOverlap,
  tokenCount,
} from "../../src/subjects/validate.js";

/** Latin1 form of UTF-8 text: how a subject off the wire looks inside the server. */
const wire = (s: string): string => Buffer.from(s, "utf8").toString("latin1");

function table(fn: (s: string) => boolean, valid: string[], invalid: string[]): void {
  for (const s of valid) assert.equal(fn(s), true, `expected valid: ${JSON.stringify(s)}`);
  for (const s of invalid) assert.equal(fn(s), false, `expected invalid: ${JSON.stringify(s)}`);
}

const STRUCTURALLY_BAD = ["", ".", "..", ".a", "a.", "a..b", "a.>.b", ">.a", "a.>.>", "a.b.>.*"];

describe("isValidSubject (full rules)", () => {
  it("accepts wildcards as whole tokens and `>` only last", () => {
    table(
      isValidSubject,
      ["a", "a.b.c", "*", ">", "a.*", "*.b", "a.*.c", "a.>", "*.*.>", "a.*b.c", "a.>b", "a.b*", "a.**.b", "$JS.API.>", "_INBOX.x"],
      STRUCTURALLY_BAD,
    );
  });

  it("rejects space, tab, CR, LF and FF anywhere, including one-char tokens", () => {
    table(isValidSubject, ["a\x0bb", "a\x00b"], ["a b", "a\tb", "a\rb", "a\nb", "a\fb", "a. .b", "a.\t", "\f", " "]);
  });

  it("takes UTF-8 bytes in latin1 form as ordinary bytes", () => {
    assert.equal(isValidSubject(wire("préférences.ü.*")), true);
  });

  it("rejects NUL and malformed UTF-8 only with checkRunes", () => {
    const opts = { checkRunes: true };
    table(
      (s) => isValidSubject(s, opts),
      ["a.b", wire("é.ü"), wire("€.𝄞"), wire("\u{10FFFF}")],
      ["a\x00b", "a\xffb", "a\xc3", "a\xc3.b", "\xc0\xaf", "\xe0\x80\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xf5\x80\x80\x80", "a\u0100"],
    );
    assert.equal(isValidSubject("a\x00b"), true);
    assert.equal(isValidSubject("a\xffb"), true);
  });

  it("applies maxTokens when given", () => {
    assert.equal(isValidSubject("a.b.c", { maxTokens: 3 }), true);
    assert.equal(isValidSubject("a.b.c.d", { maxTokens: 3 }), false);
    assert.equal(isValidSubject("a.b.c.d", { maxTokens: 0 }), true);
  });
});

describe("isValidSubscribeSubject (what SUB on the wire accepts)", () => {
  it("checks token structure only, like nats-server 2.9.10", () => {
    table(
      isValidSubscribeSubject,
      ["a", "*", ">", "a.*.>", "a\x00b", "a\fb", "a\rb", "a\x0bb", "a\xffb", "a.**.b", "a.>b"],
      STRUCTURALLY_BAD,
    );
  });
});

describe("isValidLiteralSubject (pedantic PUB)", () => {
  it("rejects wildcard tokens and empty tokens, keeps `*`/`>` inside longer tokens", () => {
    table(
      isValidLiteralSubject,
      ["a", "a.b", "a.*b", "a.>b", "a.b>", "**", ">>", "a\x00b", "a\fb"],
      [...STRUCTURALLY_BAD, "*", ">", "a.*", "a.>", "*.a", "a.*.b"],
    );
  });
});

describe("isValidPublishSubject (full rules, literal)", () => {
  it("is a valid subject without wildcard tokens", () => {
    table(isValidPublishSubject, ["a", "a.b.c", "a.*b", "$KV.b.k"], [...STRUCTURALLY_BAD, "*", "a.>", "a.*.c", "a b", "a.\t"]);
  });
});

describe("isValidQueueName", () => {
  it("is literal tokens without whitespace", () => {
    table(isValidQueueName, ["q", "workers", "q.b", "q-1_x"], ["", "q..b", "q.", "*", ">", "q.*", "a b", "q\t", "q\r"]);
  });
});

describe("hasWildcard and tokenCount", () => {
  it("finds only whole-token wildcards", () => {
    table(hasWildcard, ["*", ">", "a.*", "*.a", "a.>", "a.*.b"], ["", "a", "a.b", "a*", "a.*b", "a.>b", "**", "a.b>"]);
  });

  it("counts tokens", () => {
    assert.equal(tokenCount(""), 0);
    assert.equal(tokenCount("a"), 1);
    assert.equal(tokenCount("a.b.c"), 3);
    assert.equal(tokenCount("a..b"), 3);
    assert.equal(tokenCount("."), 2);
  });
});

describe("subjectMatches", () => {
  const cases: [filter: string, subject: string, expected: boolean][] = [
    ["a", "a", true],
    ["a", "b", false],
    ["a", "ab", false],
    ["ab", "a", false],
    ["a.b", "a.b", true],
    ["a.b", "a.b.c", false],
    ["a.b.c", "a.b", false],
    ["*", "a", true],
    ["*", "a.b", false],
    ["a.*", "a.b", true],
    ["a.*", "a", false],
    ["a.*", "a.b.c", false],
    ["*.b", "a.b", true],
    ["*.*", "a.b", true],
    [">", "a", true],
    [">", "a.b.c", true],
    ["a.>", "a", false],
    ["a.>", "a.b", true],
    ["a.>", "a.b.c", true],
    ["a.>", "b.c", false],
    ["a.*.>", "a.b", false],
    ["a.*.>", "a.b.c", true],
    // Subject tokens are literal: a published `a.*` is not a wildcard.
    ["a.*", "a.*", true],
    ["a.>", "a.*", true],
    ["a.b", "a.*", false],
    ["a.*", "a.>", true],
    // `*` and `>` inside a longer filter token are literal characters.
    ["a.*b", "a.xb", false],
    ["a.*b", "a.*b", true],
    ["a.>b", "a.>b", true],
    ["a.>b", "a.b", false],
    // Subjects with empty tokens match nothing, as nats-server routes them nowhere.
    [">", "a..b", false],
    [">", ".a", false],
    [">", "a.", false],
    ["a.>", "a.b.", false],
    ["a.>", "a..", false],
    ["*.*", "a.", false],
    ["a.*.b", "a..b", false],
    ["", "a", false],
    ["a", "", false],
    [">", "", false],
  ];
  for (const [filter, subject, expected] of cases) {
    it(`${JSON.stringify(filter)} vs ${JSON.stringify(subject)} -> ${expected}`, () => {
      assert.equal(subjectMatches(filter, subject), expected);
    });
  }
});

describe("subjectIsSubsetOf", () => {
  const cases: [a: string, b: string, expected: boolean][] = [
    ["a.b", "a.b", true],
    ["a.b", "a.*", true],
    ["a.b", "a.>", true],
    ["a.b", ">", true],
    ["a.*", "a.>", true],
    ["a.>", "a.>", true],
    ["a.*.c", "a.>", true],
    ["a.*", "*.*", true],
    ["*.*", "a.*", false],
    ["a.>", "a.*", false],
    ["a.>", "a.b", false],
    ["a.*", "a.b", false],
    [">", "a.>", false],
    ["a", "a.>", false],
    ["a.>", ">", true],
    ["a.b", "a.b.c", false],
    ["a.b.c", "a.b", false],
    ["a.b.c", "*.*", false],
    ["*", ">", true],
    [">", "*", false],
  ];
  for (const [a, b, expected] of cases) {
    it(`${a} within ${b} -> ${expected}`, () => assert.equal(subjectIsSubsetOf(a, b), expected));
  }
});

describe("subjectsOverlap", () => {
  const cases: [a: string, b: string, expected: boolean][] = [
    ["a.b", "a.b", true],
    ["a.b", "a.c", false],
    ["a.*", "*.b", true],
    ["a.*", "a.b.c", false],
    ["a.>", "a", false],
    ["a.>", "a.b.c", true],
    ["a.>", "*.x", true],
    [">", "x", true],
    ["*", "a.b", false],
    ["a.*.c", "a.b.>", true],
    ["a.*.c", "a.b.d", false],
    ["foo.*", "bar.>", false],
  ];
  for (const [a, b, expected] of cases) {
    it(`${a} ~ ${b} -> ${expected}`, () => {
      assert.equal(subjectsOverlap(a, b), expected);
      assert.equal(subjectsOverlap(b, a), expected, "overlap is symmetric");
    });
  }
});
