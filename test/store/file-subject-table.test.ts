/**
 * The file store's subject table (subject-table.ts) against a Map: ids found again, recycled, named
 * back; the hash table through growth, removals (backward shift) and collisions, forced by a tiny
 * table and by two subjects of the same 32-bit hash; the arena through compaction; odd subjects
 * (empty, 65535 bytes, bytes above 0x7f); and the image a saved state keeps, refused when it cannot be
 * right (checked against the table's invariants).
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { SubjectTable, hashBytes } from "../../src/store/file/subject-table.js";
import { InvariantError } from "../../src/util/assert.js";
import { prng } from "./helpers.js";

/** Every subject of the model is found with its id and named back; a few absent ones are not found. */
function check(t: SubjectTable, model: Map<string, number>, absent: string[] = []): void {
  assert.equal(t.size, model.size);
  for (const [subject, id] of model) {
    assert.equal(t.find(subject), id, `find ${JSON.stringify(subject)}`);
    assert.equal(t.subjectOf(id), subject);
    assert.ok(t.isLive(id));
  }
  for (const subject of absent) if (!model.has(subject)) assert.equal(t.find(subject), -1, `absent ${JSON.stringify(subject)}`);
}

/** Two different ASCII subjects with the same hash (a birthday search over 2^32: about 80k tries). */
function collidingPair(): [string, string] {
  const seen = new Map<number, string>();
  for (let i = 0; ; i++) {
    const s = `c.${i}`;
    const h = hashBytes(Buffer.from(s), 0, s.length);
    const other = seen.get(h);
    if (other !== undefined) return [other, s];
    seen.set(h, s);
  }
}

describe("subject table", () => {
  it("interns, finds, names back and recycles ids", () => {
    const t = new SubjectTable();
    assert.equal(t.intern("a.b"), 0);
    assert.equal(t.intern("a.c"), 1);
    assert.equal(t.intern("a.b"), 0, "an existing subject keeps its id");
    assert.equal(t.find("a.d"), -1);
    assert.equal(t.limit, 2);
    t.release(0);
    assert.equal(t.find("a.b"), -1);
    assert.equal(t.isLive(0), false);
    assert.equal(t.intern("x"), 0, "a released id is handed out again");
    assert.equal(t.subjectOf(0), "x");
    assert.throws(() => t.release(5), InvariantError);
  });

  it("keeps empty, long and non-ASCII subjects as their UTF-8 bytes", () => {
    const t = new SubjectTable();
    const odd = ["", "é", "kv.été", "日本.語", "a\u00ff\u0080b", "x".repeat(0xffff), "é".repeat(0x7fff)];
    const model = new Map(odd.map((s) => [s, t.intern(s)]));
    check(t, model, ["e", "kv.ete", "x".repeat(0xfffe), "\u00e9".repeat(0x7ffe)]);
    // Latin-1 strings (what a parser decoding bytes one to one hands over) are distinct from their UTF-8 spelling.
    assert.equal(t.find(Buffer.from("é", "utf8").toString("latin1")), -1);
    assert.equal(new Set(model.values()).size, odd.length);
    assert.throws(() => t.intern("y".repeat(0x10000)), InvariantError, "at most 65535 bytes");
    assert.throws(() => t.intern("é".repeat(0x8000)), InvariantError, "counted in bytes, not chars");
  });

  it("grows from a tiny table and survives random interning and releasing, like a Map", () => {
    const r = prng(42);
    const t = new SubjectTable(2);
    const model = new Map<string, number>();
    const names = Array.from({ length: 3000 }, (_, i) => (i % 7 === 0 ? `k.${i}.é` : `k.${i}`));
    for (let step = 0; step < 40_000; step++) {
      const s = names[r.int(names.length)]!;
      if (model.has(s) && r.chance(0.45)) {
        t.release(model.get(s)!);
        model.delete(s);
      } else {
        const id = t.intern(s);
        if (model.has(s)) assert.equal(id, model.get(s));
        else {
          assert.ok(![...model.values()].includes(id), "a fresh id is not in use");
          model.set(s, id);
        }
      }
      if (step % 4000 === 0) check(t, model, names.slice(0, 200));
    }
    check(t, model, names);
    assert.ok(t.limit <= names.length, "ids are recycled, not grown past the most subjects at once");
  });

  it("tells apart subjects whose hashes are equal, through removals", () => {
    const [a, b] = collidingPair();
    assert.notEqual(a, b);
    for (const slots of [2, 1024]) {
      const t = new SubjectTable(slots);
      const fillers = Array.from({ length: 50 }, (_, i) => `f.${i}`);
      const model = new Map<string, number>();
      for (const s of [fillers[0]!, a, fillers[1]!, b, ...fillers.slice(2)]) model.set(s, t.intern(s));
      check(t, model);
      t.release(model.get(a)!);
      model.delete(a);
      check(t, model, [a]);
      model.set(a, t.intern(a));
      t.release(model.get(b)!);
      model.delete(b);
      check(t, model, [b]);
    }
  });

  it("compacts the arena once half is garbage, keeping every subject", () => {
    const t = new SubjectTable();
    const model = new Map<string, number>();
    for (let i = 0; i < 20_000; i++) {
      const s = `bucket.key.${i}`;
      model.set(s, t.intern(s));
    }
    const full = t.arenaUsed;
    assert.ok(full > 64 * 1024);
    for (let i = 0; i < 20_000; i += 4) {
      for (let k = 0; k < 3; k++) {
        const s = `bucket.key.${i + k}`;
        t.release(model.get(s)!);
        model.delete(s);
      }
      assert.ok(t.arenaUsed < 64 * 1024 || t.arenaGarbage * 2 <= t.arenaUsed, "garbage never passes half of a big arena");
    }
    assert.ok(t.arenaUsed < full / 2, `arena ${t.arenaUsed} of ${full}`);
    check(t, model, ["bucket.key.0", "bucket.key.1"]);
    // And it goes on working after compaction.
    for (let i = 0; i < 1000; i++) model.set(`more.${i}`, t.intern(`more.${i}`));
    check(t, model);
    for (const id of model.values()) t.release(id);
    assert.equal(t.size, 0);
    assert.equal(t.arenaUsed, 0, "an empty table holds nothing");
  });

  it("loads its image back, with the same ids, and refuses one that cannot be right", () => {
    const t = new SubjectTable(4);
    const model = new Map<string, number>();
    for (let i = 0; i < 500; i++) model.set(`s.${i}.ü`, t.intern(`s.${i}.ü`));
    for (let i = 0; i < 500; i += 3) {
      t.release(model.get(`s.${i}.ü`)!);
      model.delete(`s.${i}.ü`);
    }
    const copyOf = (): ReturnType<SubjectTable["image"]> => {
      const img = t.image();
      return { limit: img.limit, arena: Buffer.from(img.arena), used: img.used, offs: img.offs.slice(), lens: img.lens.slice(), hashes: img.hashes.slice(), slots: img.slots.slice() };
    };
    const u = new SubjectTable();
    u.load(copyOf());
    check(u, model, ["s.0.ü", "s.3.ü"]);
    // Free ids are handed out again, new subjects go on from there.
    const fresh = u.intern("new");
    assert.ok(![...model.values()].includes(fresh) && fresh < u.limit, "a free id of the image is recycled");
    assert.equal(u.find("new"), fresh);
    for (const id of model.values()) u.release(id);
    assert.equal(u.size, 1);

    const damaged = (what: string, harm: (img: ReturnType<SubjectTable["image"]>) => void): void => {
      const img = copyOf();
      harm(img);
      assert.throws(() => new SubjectTable().load(img), RangeError, what);
    };
    const [x] = [...model.values()];
    const slotOf = (img: ReturnType<SubjectTable["image"]>, id: number): number => img.slots.indexOf(id + 1);
    damaged("outside the arena", (img) => (img.offs[x!] = img.used));
    damaged("a short array", (img) => (img.hashes = img.hashes.subarray(1)));
    damaged("a table not a power of two", (img) => (img.slots = img.slots.subarray(1)));
    damaged("a subject missing from the table", (img) => (img.slots[slotOf(img, x!)] = 0));
    damaged("a free id in the table", (img) => (img.offs[x!] = 0xffffffff));
    damaged("a subject twice in the table", (img) => (img.slots[img.slots.indexOf(0)] = x! + 1));
    damaged("a subject its probe cannot reach", (img) => {
      const mask = img.slots.length - 1;
      const id = [...model.values()].find((v) => img.slots[(img.hashes[v]! - 1) & mask] === 0)!;
      img.slots[slotOf(img, id)] = 0;
      img.slots[(img.hashes[id]! - 1) & mask] = id + 1;
    });
  });
});
