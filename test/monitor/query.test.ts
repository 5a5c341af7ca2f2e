import { test } from "node:test";
import assert from "node:assert/strict";
import { BadRequest, boolParam, intParam, page, pageBounds, stateParam, subsParam, uintParam } from "../../src/monitor/query.js";

const q = (s: string) => new URLSearchParams(s);

test("booleans take Go's ParseBool spellings, absent or empty is false", () => {
  for (const v of ["1", "t", "T", "true", "TRUE", "True"]) assert.equal(boolParam(q(`x=${v}`), "x"), true, v);
  for (const v of ["0", "f", "F", "false", "FALSE", "False", ""]) assert.equal(boolParam(q(`x=${v}`), "x"), false, v);
  assert.equal(boolParam(q(""), "x"), false);
  assert.throws(() => boolParam(q("subs=yes"), "subs"), {
    message: `Error decoding boolean for 'subs': strconv.ParseBool: parsing "yes": invalid syntax`,
  });
  assert.throws(() => boolParam(q("x=tRuE"), "x"), BadRequest);
});

test("integers follow Atoi and ParseUint, with their error texts", () => {
  assert.equal(intParam(q("offset=-3"), "offset"), -3);
  assert.equal(intParam(q("offset=%2B7"), "offset"), 7);
  assert.throws(() => intParam(q("limit=x"), "limit"), { message: `Error decoding int for 'limit': strconv.Atoi: parsing "x": invalid syntax` });
  // A '+' in a query string is a space.
  assert.throws(() => intParam(q("limit=+5"), "limit"), { message: `Error decoding int for 'limit': strconv.Atoi: parsing " 5": invalid syntax` });
  assert.throws(() => intParam(q("limit=99999999999999999999"), "limit"), /value out of range$/);
  assert.equal(uintParam(q("cid=12"), "cid"), 12);
  assert.throws(() => uintParam(q("cid=-1"), "cid"), { message: `Error decoding uint64 for 'cid': strconv.ParseUint: parsing "-1": invalid syntax` });
});

test("subs is a boolean or 'detail'; state is open, closed, any or all", () => {
  assert.deepEqual(subsParam(q("subs=DETAIL")), { list: false, detail: true });
  assert.deepEqual(subsParam(q("subs=1")), { list: true, detail: false });
  assert.deepEqual(subsParam(q("")), { list: false, detail: false });
  assert.equal(stateParam(q("")), "open");
  assert.equal(stateParam(q("state=Closed")), "closed");
  assert.equal(stateParam(q("state=all")), "any");
  assert.throws(() => stateParam(q("state=bogus")), { message: "Error decoding state for bogus" });
});

test("paging: negative offsets are 0, limits of 0 or less are 1024, pages past the end are empty", () => {
  assert.deepEqual(pageBounds(-2, 0), { offset: 0, limit: 1024 });
  assert.deepEqual(pageBounds(3, -1), { offset: 3, limit: 1024 });
  assert.deepEqual(page([1, 2, 3, 4], { offset: 1, limit: 2 }), [2, 3]);
  assert.deepEqual(page([1, 2], { offset: 5, limit: 2 }), []);
});
