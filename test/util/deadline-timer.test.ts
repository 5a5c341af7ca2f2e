import { test } from "node:test";
import assert from "node:assert/strict";
import { DeadlineTimer } from "../../src/util/deadline-timer.js";

const DAY = 24 * 3600 * 1000;

test("a deadline months away fires then, not when setTimeout's 24.8-day limit runs out", (t) => {
  t.mock.timers.enable({ apis: ["setTimeout", "Date"], now: 0 });
  let fired = 0;
  new DeadlineTimer(90 * DAY, () => fired++);
  t.mock.timers.tick(2 ** 31 - 1);
  assert.equal(fired, 0, "fired at the first step (~24.8 days)");
  t.mock.timers.tick(60 * DAY);
  assert.equal(fired, 0, "fired before its deadline");
  t.mock.timers.tick(90 * DAY - (2 ** 31 - 1) - 60 * DAY);
  assert.equal(fired, 1);
  t.mock.timers.tick(100 * DAY);
  assert.equal(fired, 1, "fired more than once");
});

test("a near or past deadline fires once; a cancelled one never", (t) => {
  t.mock.timers.enable({ apis: ["setTimeout", "Date"], now: 1_000_000 });
  let near = 0;
  let past = 0;
  let cancelled = 0;
  new DeadlineTimer(1_000_500, () => near++);
  new DeadlineTimer(5, () => past++);
  new DeadlineTimer(1_000_100, () => cancelled++).cancel();
  t.mock.timers.tick(0);
  assert.equal(past, 1);
  assert.equal(near, 0);
  t.mock.timers.tick(500);
  assert.equal(near, 1);
  t.mock.timers.tick(DAY);
  assert.deepEqual([near, past, cancelled], [1, 1, 0]);
});
