import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Sublist, SUBLIST_CACHE_MAX, SUBLIST_CACHE_SWEEP, type SublistResult } from "../../src/subjects/sublist.js";
import { DOORKEEPER_GENERATION } from "../../src/subjects/doorkeeper.js";

class Sub {
  constructor(
    readonly subject: string,
    readonly queue: string | undefined = undefined,
    readonly name: string = queue === undefined ? subject : `${subject}/${queue}`,
  ) {}
}

const names = (subs: readonly Sub[]): string[] => subs.map((s) => s.name).sort();
const plainOf = (r: SublistResult<Sub>): string[] => names(r.plain);
const queuesOf = (r: SublistResult<Sub>): string[][] =>
  r.queues.map((g) => names(g)).sort((a, b) => (a[0] < b[0] ? -1 : 1));

/** The account's kind of one-shot policy: ack and reply subjects, published once each. */
const oneShot = (subject: string): boolean => subject.startsWith("$JS.ACK.") || subject.startsWith("_INBOX.");

function listWith(...subs: Sub[]): Sublist<Sub> {
  const sl = new Sublist<Sub>({ oneShot });
  for (const s of subs) assert.equal(sl.insert(s), true);
  return sl;
}

/** Matches a subject twice, which admits it to the cache, and returns the cached result. */
function admit(sl: Sublist<Sub>, subject: string): SublistResult<Sub> {
  sl.match(subject);
  return sl.match(subject);
}

for (const disableCache of [false, true]) {
  describe(`Sublist (${disableCache ? "no cache" : "cached"})`, () => {
    const make = (...subs: Sub[]): Sublist<Sub> => {
      const sl = new Sublist<Sub>({ disableCache });
      for (const s of subs) assert.equal(sl.insert(s), true);
      return sl;
    };

    it("matches literal subjects exactly", () => {
      const sl = make(new Sub("foo"), new Sub("foo.bar"), new Sub("foo.bar.baz"));
      assert.deepEqual(plainOf(sl.match("foo")), ["foo"]);
      assert.deepEqual(plainOf(sl.match("foo.bar")), ["foo.bar"]);
      assert.deepEqual(plainOf(sl.match("foo.baz")), []);
      assert.deepEqual(plainOf(sl.match("fo")), []);
    });

    it("matches `*` one token and `>` one or more", () => {
      const sl = make(new Sub("*"), new Sub(">"), new Sub("foo.*"), new Sub("foo.>"), new Sub("*.bar"), new Sub("foo.*.baz"));
      assert.deepEqual(plainOf(sl.match("foo")), ["*", ">"]);
      assert.deepEqual(plainOf(sl.match("foo.bar")), ["*.bar", ">", "foo.*", "foo.>"]);
      assert.deepEqual(plainOf(sl.match("foo.bar.baz")), [">", "foo.*.baz", "foo.>"]);
      assert.deepEqual(plainOf(sl.match("foo.bar.qux")), [">", "foo.>"]);
    });

    it("treats wildcard characters in a published subject as literal tokens", () => {
      const sl = make(new Sub("foo.*"), new Sub("foo.>"), new Sub("foo.bar"), new Sub("foo.*b"));
      assert.deepEqual(plainOf(sl.match("foo.*")), ["foo.*", "foo.>"]);
      assert.deepEqual(plainOf(sl.match("foo.*b")), ["foo.*", "foo.*b", "foo.>"]);
      assert.deepEqual(plainOf(sl.match("foo.xb")), ["foo.*", "foo.>"]);
    });

    it("routes subjects with empty tokens nowhere", () => {
      const sl = make(new Sub(">"), new Sub("a.*.b"), new Sub("*.b"));
      for (const s of ["a..b", ".b", "a.", ".", ".."]) {
        assert.deepEqual(plainOf(sl.match(s)), [], s);
        assert.equal(sl.hasInterest(s), false, s);
      }
      assert.equal(sl.stats().num_cache, 0, "ill-formed subjects are not cached");
    });

    it("rejects ill-formed subscription subjects and stores nothing", () => {
      const sl = make();
      for (const s of ["", ".", "a..b", ".a", "a.", "a.>.b", ">.>"]) {
        assert.equal(sl.insert(new Sub(s)), false, s);
      }
      assert.equal(sl.count, 0);
      assert.deepEqual(sl.all(), []);
      assert.equal(sl.stats().num_inserts, 0);
    });

    it("accepts bytes nats-server accepts (NUL, FF, non-UTF-8) as ordinary token bytes", () => {
      const sl = make(new Sub("a\x00b"), new Sub("caf\xc3\xa9.*"), new Sub("x\fy"));
      assert.deepEqual(plainOf(sl.match("a\x00b")), ["a\x00b"]);
      assert.deepEqual(plainOf(sl.match("caf\xc3\xa9.\xff")), ["caf\xc3\xa9.*"]);
      assert.deepEqual(plainOf(sl.match("x\fy")), ["x\fy"]);
    });

    it("groups queue subscribers by queue name across nodes", () => {
      const sl = make(
        new Sub("foo.bar", "q1", "a"),
        new Sub("foo.*", "q1", "b"),
        new Sub("foo.>", "q2", "c"),
        new Sub("foo.bar", "q2", "d"),
        new Sub("foo.bar", "q3", "e"),
        new Sub("foo.bar", undefined, "p"),
        new Sub("foo.baz", "q1", "x"),
      );
      const r = sl.match("foo.bar");
      assert.deepEqual(plainOf(r), ["p"]);
      assert.deepEqual(queuesOf(r), [["a", "b"], ["c", "d"], ["e"]]);
      for (const group of r.queues) {
        assert.equal(new Set(group.map((s) => s.queue)).size, 1, "one queue name per group");
      }
      assert.deepEqual(queuesOf(sl.match("foo.baz")), [["b", "x"], ["c"]]);
    });

    it("ignores a second insert of the same subscription", () => {
      const s = new Sub("foo");
      const q = new Sub("foo", "q");
      const sl = make(s, q);
      assert.equal(sl.insert(s), true);
      assert.equal(sl.insert(q), true);
      assert.equal(sl.count, 2);
      assert.equal(sl.match("foo").plain.length, 1);
      assert.equal(sl.match("foo").queues[0].length, 1);
      assert.equal(sl.stats().num_inserts, 2);
    });

    it("removes by identity, reports absence, and keeps equal-looking subscriptions", () => {
      const a = new Sub("foo", undefined, "a");
      const b = new Sub("foo", undefined, "b");
      const qa = new Sub("foo", "q", "qa");
      const sl = make(a, b, qa);
      sl.match("foo");
      assert.equal(sl.remove(a), true);
      assert.equal(sl.remove(a), false);
      assert.equal(sl.remove(new Sub("foo")), false);
      assert.equal(sl.remove(new Sub("foo", "q")), false);
      assert.equal(sl.remove(new Sub("nothing.here")), false);
      assert.equal(sl.remove(new Sub("a..b")), false);
      assert.deepEqual(plainOf(sl.match("foo")), ["b"]);
      assert.deepEqual(queuesOf(sl.match("foo")), [["qa"]]);
      assert.equal(sl.remove(qa), true);
      assert.deepEqual(queuesOf(sl.match("foo")), []);
      assert.equal(sl.count, 1);
      assert.equal(sl.stats().num_removes, 2);
    });

    it("prunes the trie: count, all() and interest follow removals", () => {
      const subs = [new Sub("a.b.c"), new Sub("a.b"), new Sub("a.*.c"), new Sub("a.>"), new Sub("a.b.c", "q"), new Sub(">")];
      const sl = make(...subs);
      assert.equal(sl.count, subs.length);
      assert.deepEqual(names(sl.all()), names(subs));
      for (let i = 0; i < subs.length; i++) {
        assert.equal(sl.remove(subs[i]), true);
        assert.equal(sl.count, subs.length - i - 1);
        assert.deepEqual(names(sl.all()), names(subs.slice(i + 1)));
      }
      for (const s of ["a", "a.b", "a.b.c", "x"]) assert.equal(sl.hasInterest(s), false, s);
      // Everything is gone: a fresh insert along the same path works and is the only one found.
      assert.equal(sl.insert(new Sub("a.b.c")), true);
      assert.deepEqual(plainOf(sl.match("a.b.c")), ["a.b.c"]);
      assert.deepEqual(plainOf(sl.match("a.b")), []);
    });

    it("answers hasInterest without counting a match", () => {
      const sl = make(new Sub("foo.*"), new Sub("bar.>", "q"), new Sub("baz"));
      assert.equal(sl.hasInterest("foo.x"), true);
      assert.equal(sl.hasInterest("foo"), false);
      assert.equal(sl.hasInterest("foo.x.y"), false);
      assert.equal(sl.hasInterest("bar"), false);
      assert.equal(sl.hasInterest("bar.x.y"), true);
      assert.equal(sl.hasInterest("baz"), true);
      assert.equal(sl.hasInterest("baz.x"), false);
      assert.equal(sl.stats().num_matches, 0);
    });

    it("removeBatch removes what is there and returns how many", () => {
      const subs = [new Sub("a"), new Sub("a.*"), new Sub("b", "q"), new Sub(">")];
      const sl = make(...subs);
      sl.match("a");
      sl.match("a.x");
      sl.match("b");
      assert.equal(sl.removeBatch([subs[0], subs[1], new Sub("zz")]), 2);
      assert.deepEqual(plainOf(sl.match("a")), [">"]);
      assert.deepEqual(plainOf(sl.match("a.x")), [">"]);
      assert.deepEqual(queuesOf(sl.match("b")), [["b/q"]]);
      assert.equal(sl.removeBatch([subs[2]]), 1);
      assert.deepEqual(queuesOf(sl.match("b")), []);
      assert.equal(sl.count, 1);
    });
  });
}

/** White-box view of the trie, to check that removals really give memory back. */
interface TrieView {
  literal: Map<string, TrieView> | null;
  star: TrieView | null;
  rest: TrieView | null;
}

function trieSize(sl: Sublist<Sub>): number {
  const walk = (n: TrieView): number => {
    let size = 1;
    if (n.literal !== null) for (const c of n.literal.values()) size += walk(c);
    if (n.star !== null) size += walk(n.star);
    if (n.rest !== null) size += walk(n.rest);
    return size;
  };
  return walk((sl as unknown as { root: TrieView }).root);
}

describe("Sublist pruning", () => {
  it("gives back the nodes of removed subscriptions", () => {
    const subs: Sub[] = [];
    for (let i = 0; i < 1000; i++) subs.push(new Sub(`a.${i}.b.c`), new Sub(`x.*.${i}`), new Sub(`y.${i}.>`, "q"));
    const sl = listWith(...subs);
    assert.ok(trieSize(sl) > 6000);
    for (const s of subs) sl.remove(s);
    assert.equal(sl.count, 0);
    assert.ok(trieSize(sl) <= 10, `trie left with ${trieSize(sl)} nodes`);
  });

  it("keeps at most as many emptied siblings as live ones (past a small floor)", () => {
    const subs: Sub[] = [];
    for (let i = 0; i < 1000; i++) subs.push(new Sub(`a.${i}`));
    const sl = listWith(...subs);
    for (const s of subs.slice(100)) sl.remove(s);
    // root, `a`, 100 live children, and no more emptied ones than live ones.
    assert.ok(trieSize(sl) <= 2 + 100 + 100, `trie has ${trieSize(sl)} nodes`);
    assert.deepEqual(names(sl.all()), names(subs.slice(0, 100)));
  });

  it("reuses an emptied node when the same subject is subscribed again", () => {
    const sl = listWith(...Array.from({ length: 500 }, (_, i) => new Sub(`a.${i}`)));
    const size = trieSize(sl);
    for (let i = 0; i < 2000; i++) {
      const s = new Sub("a.again");
      sl.insert(s);
      assert.deepEqual(plainOf(sl.match("a.again")), ["a.again"]);
      sl.remove(s);
      assert.deepEqual(plainOf(sl.match("a.again")), []);
    }
    assert.ok(trieSize(sl) <= size + 1);
    assert.equal(sl.count, 500);
  });
});

describe("Sublist reverseMatch", () => {
  const subs = [
    new Sub("foo"),
    new Sub("foo.bar"),
    new Sub("foo.baz", "q"),
    new Sub("foo.*"),
    new Sub("foo.>"),
    new Sub("*.bar"),
    new Sub(">"),
    new Sub("foo.bar.baz"),
    new Sub("other.x"),
  ];
  const sl = listWith(...subs);
  const cases: [filter: string, expected: string[]][] = [
    ["foo", ["foo", ">"]],
    ["foo.bar", ["foo.bar", "foo.*", "foo.>", "*.bar", ">"]],
    ["foo.*", ["foo.bar", "foo.baz/q", "foo.*", "foo.>", "*.bar", ">"]],
    ["foo.>", ["foo.bar", "foo.baz/q", "foo.*", "foo.>", "*.bar", ">", "foo.bar.baz"]],
    ["*", ["foo", ">"]],
    ["*.x", ["foo.*", "foo.>", ">", "other.x"]],
    [">", subs.map((s) => s.name)],
    ["nope.nope.nope", [">"]],
    ["a..b", []],
    ["a.>.b", []],
  ];
  for (const [filter, expected] of cases) {
    it(filter, () => assert.deepEqual(names(sl.reverseMatch(filter)), [...expected].sort()));
  }
});

describe("Sublist match cache", () => {
  it("admits a subject on its second miss and then returns the same shared result object", () => {
    const sl = listWith(new Sub("foo"), new Sub("foo", "q"));
    const r1 = sl.match("foo");
    assert.equal(sl.stats().num_cache, 0, "not cached on first sight");
    const r2 = sl.match("foo");
    assert.notEqual(r1, r2, "the second miss walks the trie again");
    assert.deepEqual(r2, r1);
    assert.equal(sl.stats().num_cache, 1);
    assert.equal(sl.match("foo"), r2);
    const st = sl.stats();
    assert.equal(st.num_matches, 3);
    assert.equal(st.cache_hit_rate, 1 / 3);
  });

  it("never caches a one-shot subject (an ack subject, one per message), however often it is matched", () => {
    const consumer = new Sub("$JS.ACK.S.C.>");
    const sl = listWith(consumer, new Sub("$JS.ACK.>"));
    const ack = "$JS.ACK.S.C.1.7.7.1700000000000000000.0";
    for (let i = 0; i < 3; i++) assert.deepEqual(plainOf(sl.match(ack)), ["$JS.ACK.>", "$JS.ACK.S.C.>"]);
    assert.equal(sl.stats().num_cache, 0);
    assert.equal(sl.hasInterest(ack), true);
    assert.deepEqual(plainOf(sl.match("$JS.ACK.S.D.1.7.7.1.0")), ["$JS.ACK.>"]);
    assert.deepEqual(plainOf(sl.match("$JS.ACK..C.1")), [], "an empty token matches nothing, even past the walk's end");
    assert.deepEqual(plainOf(sl.match("$JS.ACK.S.C.1..2")), []);
  });

  it("never changes a result already handed out", () => {
    const a = new Sub("foo");
    const sl = listWith(a);
    const before = admit(sl, "foo");
    sl.insert(new Sub("foo"));
    sl.insert(new Sub("*"));
    sl.remove(a);
    assert.deepEqual(plainOf(before), ["foo"]);
    assert.deepEqual(plainOf(sl.match("foo")), ["*", "foo"]);
  });

  it("a literal insert or remove replaces only its own cache entry, with an updated copy", () => {
    const sl = listWith(new Sub("a", undefined, "a1"), new Sub("b"), new Sub(">"));
    const ra = admit(sl, "a");
    const rb = admit(sl, "b");
    const rc = admit(sl, "c");
    const plain = new Sub("a", undefined, "a2");
    const queued = new Sub("a", "q", "aq");
    sl.insert(plain);
    sl.insert(queued);
    assert.equal(sl.stats().num_cache, 3, "no entry dropped");
    assert.equal(sl.match("b"), rb);
    assert.equal(sl.match("c"), rc);
    const ra2 = sl.match("a");
    assert.notEqual(ra2, ra);
    assert.deepEqual(plainOf(ra2), [">", "a1", "a2"]);
    assert.deepEqual(queuesOf(ra2), [["aq"]]);
    assert.deepEqual(plainOf(ra), [">", "a1"], "the old result is untouched");
    const hits = sl.stats().cache_hit_rate;
    assert.equal(hits, 3 / 9, "the updated entry is served from the cache");
    sl.remove(new Sub("zzz")); // absent: the cache is left alone
    assert.equal(sl.match("a"), ra2);
    sl.remove(queued);
    sl.remove(plain);
    assert.equal(sl.match("b"), rb);
    assert.deepEqual(plainOf(sl.match("a")), [">", "a1"]);
    assert.deepEqual(queuesOf(sl.match("a")), []);
    assert.equal(sl.stats().num_cache, 3);
  });

  it("a wildcard insert or remove replaces exactly the cached subjects it matches", () => {
    const sl = listWith(new Sub(">"));
    const subjects = ["foo.bar", "foo.baz", "foo.bar.baz", "foo", "bar.bar", "foo.*"];
    const before = new Map(subjects.map((s) => [s, admit(sl, s)] as const));
    const w = new Sub("foo.*", "g");
    sl.insert(w);
    const affected = new Set(["foo.bar", "foo.baz", "foo.*"]);
    assert.equal(sl.stats().num_cache, subjects.length);
    for (const s of subjects) {
      assert.equal(sl.match(s) === before.get(s), !affected.has(s), s);
      assert.deepEqual(queuesOf(sl.match(s)), affected.has(s) ? [["foo.*/g"]] : [], s);
    }
    const mid = new Map(subjects.map((s) => [s, sl.match(s)] as const));
    sl.remove(w);
    for (const s of subjects) {
      assert.equal(sl.match(s) === mid.get(s), !affected.has(s), s);
      assert.deepEqual(plainOf(sl.match(s)), [">"], s);
      assert.deepEqual(queuesOf(sl.match(s)), [], s);
    }
  });

  it("a subject whose last subscription goes is cached as the shared empty result", () => {
    const s = new Sub("x");
    const sl = listWith(s);
    admit(sl, "x");
    sl.remove(s);
    const empty = sl.match("x");
    assert.deepEqual(empty, { plain: [], queues: [] });
    assert.equal(sl.stats().cache_hit_rate, 1 / 3, "served from the updated entry");
    assert.equal(sl.match("never.seen"), empty);
  });

  it("stays bounded: past the maximum it sweeps back down, keeping the newest entries", () => {
    const sl = listWith(new Sub("s.*"));
    for (let i = 0; i < SUBLIST_CACHE_MAX; i++) admit(sl, `s.${i}`);
    assert.equal(sl.stats().num_cache, SUBLIST_CACHE_MAX);
    const newest = sl.match(`s.${SUBLIST_CACHE_MAX - 1}`);
    admit(sl, "s.overflow");
    assert.equal(sl.stats().num_cache, SUBLIST_CACHE_SWEEP);
    assert.equal(sl.match(`s.${SUBLIST_CACHE_MAX - 1}`), newest, "a recent entry survives the sweep");
    assert.deepEqual(plainOf(sl.match("s.0")), ["s.*"], "an evicted subject is recomputed");
  });

  it("without a one-shot policy, ack and inbox subjects are admitted like any other", () => {
    const sl = new Sublist<Sub>();
    sl.insert(new Sub("$JS.ACK.S.C.>"));
    sl.insert(new Sub("_INBOX.c.*"));
    const ack = "$JS.ACK.S.C.1.7.7.1700000000000000000.0";
    const r = admit(sl, ack);
    assert.equal(sl.match(ack), r, "cached on its second miss");
    const reply = admit(sl, "_INBOX.c.1");
    assert.equal(sl.match("_INBOX.c.1"), reply);
    assert.notEqual(sl.match("_INBOX.c.2"), reply, "no prefix sharing: another reply is walked");
    assert.equal(sl.stats().num_cache, 2);
  });

  it("replies under one inbox prefix share a walk until a subscription could tell them apart", () => {
    const star = new Sub("_INBOX.c.*");
    const sl = listWith(star, new Sub("_INBOX.d.*"));
    const first = sl.match("_INBOX.c.1");
    assert.deepEqual(plainOf(first), ["_INBOX.c.*"]);
    assert.equal(sl.match("_INBOX.c.2"), first, "the second reply reuses the first one's result");
    assert.deepEqual(plainOf(sl.match("_INBOX.c.2.x")), [], "a longer subject is not under the prefix");
    assert.deepEqual(plainOf(sl.match("_INBOX.d.9")), ["_INBOX.d.*"], "another prefix is walked");
    const literal = new Sub("_INBOX.c.7");
    sl.insert(literal);
    assert.deepEqual(plainOf(sl.match("_INBOX.c.7")), ["_INBOX.c.*", "_INBOX.c.7"], "an insert is seen at once");
    assert.deepEqual(plainOf(sl.match("_INBOX.c.8")), ["_INBOX.c.*"], "a literal last token stops sharing");
    assert.deepEqual(plainOf(sl.match("_INBOX.c.7")), ["_INBOX.c.*", "_INBOX.c.7"]);
    sl.remove(literal);
    sl.match("_INBOX.c.1");
    sl.remove(star);
    assert.deepEqual(plainOf(sl.match("_INBOX.c.3")), [], "a removal is seen at once");
    sl.insert(new Sub("_INBOX.>"));
    assert.deepEqual(plainOf(sl.match("_INBOX.c.4")), ["_INBOX.>"]);
    sl.removeBatch([new Sub("_INBOX.>")]);
    assert.deepEqual(plainOf(sl.match("_INBOX.c.5")), ["_INBOX.>"], "removeBatch of an absent sub changes nothing");
  });

  it("one-shot subjects neither enter the cache nor evict hot ones", () => {
    const sl = listWith(new Sub("hot.*"), new Sub("$JS.ACK.s.c.>"), new Sub("_INBOX.c.*"));
    const hot = Array.from({ length: 100 }, (_, i) => admit(sl, `hot.${i}`));
    const oneShots = 4 * SUBLIST_CACHE_MAX;
    for (let i = 0; i < oneShots; i++) {
      const oneShot = i % 2 === 0 ? `$JS.ACK.s.c.1.${i}.${i}.1763711000.0` : `_INBOX.c.${i}`;
      assert.deepEqual(plainOf(sl.match(oneShot)), [i % 2 === 0 ? "$JS.ACK.s.c.>" : "_INBOX.c.*"]);
    }
    assert.equal(sl.stats().num_cache, hot.length, "only the hot subjects are cached");
    for (let i = 0; i < hot.length; i++) assert.equal(sl.match(`hot.${i}`), hot[i], `hot.${i} never swept`);
  });

  it("admits every subject that recurs within a generation of one-shot misses", () => {
    const sl = listWith(new Sub(">"));
    let seq = 0;
    for (let i = 0; i < 50; i++) {
      sl.match(`recurring.${i}`);
      for (let k = 0; k < DOORKEEPER_GENERATION - 1; k++) sl.match(`once.c.${seq++}`);
      const result = sl.match(`recurring.${i}`);
      assert.equal(sl.match(`recurring.${i}`), result, `recurring.${i} admitted`);
    }
  });

  it("admits hot subjects however their hashes collide", () => {
    const sl = listWith(new Sub("hot.*"));
    const hot = Array.from({ length: SUBLIST_CACHE_MAX }, (_, i) => `hot.${i}`);
    for (let round = 0; round < 2; round++) for (const s of hot) sl.match(s);
    assert.equal(sl.stats().num_cache, hot.length);
    const hits = sl.counters().cacheHits;
    for (const s of hot) sl.match(s);
    assert.equal(sl.counters().cacheHits - hits, hot.length);
  });

  it("a subscription added between a subject's first and second miss is in the admitted result", () => {
    const sl = listWith(new Sub("a.b"));
    sl.match("a.b");
    sl.insert(new Sub("a.*"));
    sl.insert(new Sub("a.b", "q"));
    const admitted = sl.match("a.b");
    assert.deepEqual(plainOf(admitted), ["a.*", "a.b"]);
    assert.deepEqual(queuesOf(admitted), [["a.b/q"]]);
    assert.equal(sl.match("a.b"), admitted);
  });

  it("is off with disableCache: nothing cached, no hits, fresh results", () => {
    const sl = new Sublist<Sub>({ disableCache: true });
    sl.insert(new Sub("foo"));
    const r1 = sl.match("foo");
    const r2 = sl.match("foo");
    assert.notEqual(r1, r2);
    assert.deepEqual(plainOf(r2), ["foo"]);
    const st = sl.stats();
    assert.equal(st.num_cache, 0);
    assert.equal(st.num_matches, 2);
    assert.equal(st.cache_hit_rate, 0);
    assert.equal(st.avg_fanout, 0);
  });
});

describe("Sublist stats", () => {
  it("reports /subsz figures: fanout counts plain subscribers plus queue groups of cached results", () => {
    const sl = listWith(
      new Sub("a"),
      new Sub("a"),
      new Sub("a", "q1"),
      new Sub("a", "q1"),
      new Sub("a", "q2"),
      new Sub("b"),
      new Sub("c.*"),
    );
    assert.deepEqual(sl.stats(), {
      num_subscriptions: 7,
      num_cache: 0,
      num_inserts: 7,
      num_removes: 0,
      num_matches: 0,
      cache_hit_rate: 0,
      max_fanout: 0,
      avg_fanout: 0,
    });
    admit(sl, "a"); // 2 plain + 2 groups = 4
    admit(sl, "b"); // 1
    admit(sl, "c.x"); // 1
    admit(sl, "none"); // 0
    sl.match("a");
    admit(sl, "a..b"); // ill-formed: counted, never cached
    sl.match("once"); // seen once: counted, not cached
    sl.remove(new Sub("zz"));
    const st = sl.stats();
    assert.equal(st.num_subscriptions, 7);
    assert.equal(st.num_cache, 4);
    assert.equal(st.num_matches, 12);
    assert.equal(st.cache_hit_rate, 1 / 12);
    assert.equal(st.max_fanout, 4);
    assert.equal(st.avg_fanout, 6 / 4);
    assert.equal(st.num_removes, 0);
  });
});
