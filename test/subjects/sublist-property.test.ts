/**
 * Property tests: the Sublist (cached and uncached) and the subject relations against naive models,
 * over random interleavings of inserts, removes, matches and reverse matches. Also checks the cache's
 * admission policy: only subjects matched at least twice are ever cached.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Sublist, type SublistResult } from "../../src/subjects/sublist.js";
import {
  isValidSubscribeSubject,
  subjectIsSubsetOf,
  subjectMatches,
  subjectsOverlap,
} from "../../src/subjects/validate.js";
import { Prng } from "./prng.js";

class Sub {
  constructor(
    readonly id: number,
    readonly subject: string,
    readonly queue: string | undefined,
  ) {}
}

/** Token-list matcher, written independently of the implementation under test. */
function naiveMatch(filter: string, subject: string): boolean {
  const f = filter.split(".");
  const s = subject.split(".");
  if (s.includes("")) return false;
  for (let i = 0; i < f.length; i++) {
    if (f[i] === ">") return s.length > i;
    if (i >= s.length) return false;
    if (f[i] !== "*" && f[i] !== s[i]) return false;
  }
  return f.length === s.length;
}

function naiveWellFormed(subject: string): boolean {
  const t = subject.split(".");
  return !t.includes("") && t.every((tok, i) => tok !== ">" || i === t.length - 1);
}

interface Shape {
  readonly name: string;
  readonly subTokens: readonly string[];
  readonly pubTokens: readonly string[];
  readonly maxLen: number;
  readonly steps: number;
  /** Chance that a published subject gets a token of its own, as JetStream acks and PubAck inboxes do. */
  readonly oneShot?: number;
  /** Whether each published subject is matched twice in a row, which admits it to the cache. */
  readonly twice?: boolean;
  /** Whether the run must see the cache swept (its size drop between two checkpoints). */
  readonly sweeps?: boolean;
  /**
   * Chance that a published subject is a reply `_INBOX.<a|b>.<token>`, mostly with a token of its own
   * (served under its prefix, see Sublist.match), now and then one a subscription may name.
   */
  readonly inbox?: number;
}

const SHAPES: readonly Shape[] = [
  // Few tokens: heavy overlap, many cache hits and invalidations.
  { name: "dense", subTokens: ["a", "b", "c"], pubTokens: ["a", "b", "c", "d", "*", ">"], maxLen: 4, steps: 3000 },
  // Many tokens: more distinct subjects than the cache holds; few recur, so few are admitted.
  {
    name: "sparse",
    subTokens: Array.from({ length: 12 }, (_, i) => `t${i}`),
    pubTokens: Array.from({ length: 14 }, (_, i) => `t${i}`),
    maxLen: 3,
    steps: 5000,
  },
  // More distinct subjects than the cache holds, each admitted at once: sweeps happen.
  {
    name: "sweeping",
    subTokens: Array.from({ length: 8 }, (_, i) => `t${i}`),
    pubTokens: Array.from({ length: 16 }, (_, i) => `t${i}`),
    maxLen: 2,
    steps: 10000,
    twice: true,
    sweeps: true,
  },
  // JetStream-like: most published subjects are used once, between a few recurring ones.
  {
    name: "one-shot",
    subTokens: ["a", "b", "c"],
    pubTokens: ["a", "b", "c"],
    maxLen: 2,
    steps: 5000,
    oneShot: 0.7,
  },
  // Replies to two clients' inboxes between subscriptions that do and do not tell their last tokens apart.
  {
    name: "inbox replies",
    subTokens: ["_INBOX", "_INBOX", "a", "b", "u1", "u2"],
    pubTokens: ["_INBOX", "a", "b", "u1"],
    maxLen: 3,
    steps: 5000,
    inbox: 0.8,
  },
];

function randomSubject(rng: Prng, tokens: readonly string[], maxLen: number, wildcards: boolean): string {
  const len = 1 + rng.int(maxLen);
  const out: string[] = [];
  for (let i = 0; i < len; i++) {
    const r = rng.next();
    if (wildcards && r < 0.15) out.push("*");
    else if (wildcards && r < 0.22 && i === len - 1) out.push(">");
    else out.push(rng.pick(tokens));
  }
  // Now and then an ill-formed subject: an empty token or a `>` that is not last.
  if (rng.chance(0.03)) out.splice(rng.int(out.length + 1), 0, "");
  else if (wildcards && rng.chance(0.02) && out.length > 1) out[0] = ">";
  return out.join(".");
}

function checkResult(result: SublistResult<Sub>, model: readonly Sub[], subject: string, ctx: string): void {
  const expected = model.filter((s) => naiveMatch(s.subject, subject));
  const expectedPlain = expected.filter((s) => s.queue === undefined).map((s) => s.id).sort((x, y) => x - y);
  const actualPlain = result.plain.map((s) => s.id).sort((x, y) => x - y);
  assert.deepEqual(actualPlain, expectedPlain, `${ctx}: plain subscribers of ${subject}`);

  const expectedGroups = new Map<string, number[]>();
  for (const s of expected) {
    if (s.queue === undefined) continue;
    const ids = expectedGroups.get(s.queue) ?? [];
    ids.push(s.id);
    expectedGroups.set(s.queue, ids);
  }
  assert.equal(result.queues.length, expectedGroups.size, `${ctx}: queue group count for ${subject}`);
  for (const group of result.queues) {
    assert.ok(group.length > 0, `${ctx}: empty queue group`);
    const name = group[0].queue!;
    assert.ok(group.every((s) => s.queue === name), `${ctx}: mixed queue names in one group`);
    const ids = group.map((s) => s.id).sort((x, y) => x - y);
    assert.deepEqual(ids, (expectedGroups.get(name) ?? []).sort((x, y) => x - y), `${ctx}: group ${name} of ${subject}`);
  }
}

for (const shape of SHAPES) {
  describe(`Sublist vs a naive matcher (${shape.name})`, () => {
    for (const seed of [1, 2, 3, 42, 1234, 987654321]) {
      it(`seed ${seed}`, () => {
        const rng = new Prng(seed);
        const cached = new Sublist<Sub>({ oneShot: (s) => s.startsWith("_INBOX.") });
        const uncached = new Sublist<Sub>({ disableCache: true });
        const model: Sub[] = [];
        const queues = [undefined, undefined, undefined, "q1", "q2"];
        let nextId = 0;
        const timesMatched = new Map<string, number>();
        let lastCacheSize = 0;
        let swept = false;
        for (let step = 0; step < shape.steps; step++) {
          const ctx = `seed ${seed} step ${step}`;
          const op = rng.next();
          if (op < 0.3) {
            const sub = new Sub(nextId++, randomSubject(rng, shape.subTokens, shape.maxLen, true), rng.pick(queues));
            const ok = naiveWellFormed(sub.subject);
            assert.equal(isValidSubscribeSubject(sub.subject), ok, `${ctx}: validity of ${sub.subject}`);
            assert.equal(cached.insert(sub), ok, `${ctx}: insert ${sub.subject}`);
            assert.equal(uncached.insert(sub), ok, `${ctx}: insert ${sub.subject}`);
            if (ok) model.push(sub);
          } else if (op < 0.55) {
            if (model.length > 0 && rng.chance(0.9)) {
              const sub = model.splice(rng.int(model.length), 1)[0];
              assert.equal(cached.remove(sub), true, `${ctx}: remove ${sub.subject}`);
              assert.equal(uncached.remove(sub), true, `${ctx}: remove ${sub.subject}`);
            } else {
              const stranger = new Sub(-1, randomSubject(rng, shape.subTokens, shape.maxLen, true), rng.pick(queues));
              assert.equal(cached.remove(stranger), false, `${ctx}: remove absent`);
              assert.equal(uncached.remove(stranger), false, `${ctx}: remove absent`);
            }
          } else if (op < 0.95) {
            let subject = randomSubject(rng, shape.pubTokens, shape.maxLen + 1, false);
            if (shape.oneShot !== undefined && rng.chance(shape.oneShot)) subject += `.u${step}`;
            if (shape.inbox !== undefined && rng.chance(shape.inbox)) {
              subject = `_INBOX.${rng.pick(["a", "b"])}.${rng.chance(0.2) ? rng.pick(["u1", "u2"]) : `n${step}`}`;
            }
            if (shape.twice === true) checkResult(cached.match(subject), model, subject, `${ctx} cached, first`);
            checkResult(cached.match(subject), model, subject, `${ctx} cached`);
            checkResult(uncached.match(subject), model, subject, `${ctx} uncached`);
            const interest = model.some((s) => naiveMatch(s.subject, subject));
            assert.equal(cached.hasInterest(subject), interest, `${ctx}: hasInterest ${subject}`);
            assert.equal(uncached.hasInterest(subject), interest, `${ctx}: hasInterest ${subject}`);
            for (const s of model.slice(0, 8)) {
              assert.equal(subjectMatches(s.subject, subject), naiveMatch(s.subject, subject), `${ctx}: ${s.subject} vs ${subject}`);
            }
            // Published subjects may hold `*` and `>` as plain tokens; only an empty token is never cached.
            if (!subject.split(".").includes("")) {
              timesMatched.set(subject, (timesMatched.get(subject) ?? 0) + (shape.twice === true ? 2 : 1));
            }
          } else {
            const filter = randomSubject(rng, shape.pubTokens, shape.maxLen + 1, true);
            const expected = naiveWellFormed(filter)
              ? model.filter((s) => subjectsOverlap(s.subject, filter)).map((s) => s.id).sort((x, y) => x - y)
              : [];
            const actual = cached.reverseMatch(filter).map((s) => s.id).sort((x, y) => x - y);
            assert.deepEqual(actual, expected, `${ctx}: reverseMatch ${filter}`);
          }
          if (step % 250 === 0 || step === shape.steps - 1) {
            const ids = model.map((s) => s.id).sort((x, y) => x - y);
            for (const sl of [cached, uncached]) {
              assert.equal(sl.count, model.length, `${ctx}: count`);
              assert.deepEqual(sl.all().map((s) => s.id).sort((x, y) => x - y), ids, `${ctx}: all()`);
            }
            assert.ok(cached.stats().num_cache <= 1024, `${ctx}: cache bound`);
            const size = cached.stats().num_cache;
            if (size < lastCacheSize) swept = true;
            lastCacheSize = size;
            let recurring = 0;
            for (const n of timesMatched.values()) if (n >= 2) recurring++;
            assert.ok(size <= recurring, `${ctx}: ${size} cached, ${recurring} matched twice`);
          }
        }
        // Draining everything leaves an empty trie: nothing found anywhere.
        for (const sub of model) assert.equal(cached.remove(sub), true);
        assert.equal(cached.count, 0);
        assert.deepEqual(cached.all(), []);
        assert.deepEqual(cached.reverseMatch(">"), []);
        if (shape.name === "sparse") assert.ok(cached.stats().num_matches > 1024);
        if (shape.sweeps === true) assert.ok(swept, "the cache was swept");
        assert.ok(cached.stats().cache_hit_rate > 0, "recurring subjects were served from the cache");
      });
    }
  });
}

describe("subject relations vs brute force over a small universe", () => {
  const filterTokens = ["a", "b", "*", ">"];
  const filters: string[] = [];
  const grow = (prefix: string[]): void => {
    if (prefix.length > 0) filters.push(prefix.join("."));
    if (prefix.length === 3 || prefix[prefix.length - 1] === ">") return;
    for (const t of filterTokens) grow([...prefix, t]);
  };
  grow([]);
  // Literal subjects one token longer than any filter, over one token no filter names.
  const universe: string[] = [];
  const lits = (prefix: string[]): void => {
    if (prefix.length > 0) universe.push(prefix.join("."));
    if (prefix.length === 4) return;
    for (const t of ["a", "b", "c"]) lits([...prefix, t]);
  };
  lits([]);

  it("subjectMatches agrees with the naive matcher", () => {
    for (const f of filters) for (const s of universe) assert.equal(subjectMatches(f, s), naiveMatch(f, s), `${f} vs ${s}`);
  });

  it("subjectsOverlap and subjectIsSubsetOf agree with enumeration", () => {
    const matched = new Map(filters.map((f) => [f, universe.filter((s) => naiveMatch(f, s))] as const));
    for (const a of filters) {
      const ma = matched.get(a)!;
      for (const b of filters) {
        const mb = new Set(matched.get(b)!);
        assert.equal(subjectsOverlap(a, b), ma.some((s) => mb.has(s)), `${a} ~ ${b}`);
        assert.equal(subjectIsSubsetOf(a, b), ma.every((s) => mb.has(s)), `${a} within ${b}`);
      }
    }
  });
});
