/**
 * Permissions through nats.js: the operator's config from the usual guides, publish/subscribe allow and
 * deny with wildcards, queue permissions, allow_responses, default_permissions. A violation is reported
 * as PermissionViolationError and the connection stays usable, as with nats-server.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { errors, type NatsConnection } from "@nats-io/transport-node";
import { IMPL, serverFor, settle, within } from "../e2e/support.js";
import { connectOk, serverErrors } from "./support.js";

const CONFIG = `
authorization {
  default_permissions: { publish: "defaults.>", subscribe: "defaults.>" }
  users = [
    { user: "app", password: "app-pw", permissions: { publish: ["events.*"], subscribe: ["events.*"] } }
    { user: "mixed", password: "pw", permissions: {
        publish: { allow: ["foo.>"], deny: ["foo.secret"] }
        subscribe: { allow: ["foo.>", "jobs workers"], deny: ["foo.hidden"] } } }
    { user: "service", password: "pw", permissions: { subscribe: "rpc.>", allow_responses: { max: 2, expires: "1m" } } }
    { user: "admin", password: "pw", permissions: { publish: ">", subscribe: ">" } }
    { user: "plain", password: "pw", permissions: {} }
    { user: "defaulted", password: "pw" }
  ]
}
`;

async function violations(nc: NatsConnection, errs: Error[], n: number): Promise<string[]> {
  await nc.flush();
  await within(
    (async () => {
      while (errs.length < n) await new Promise((r) => setTimeout(r, 10));
    })(),
    5000,
    `${n} permission errors`,
  );
  return errs.map((e) => (e instanceof errors.PermissionViolationError ? `${e.operation} ${e.subject}${e.queue ? ` ${e.queue}` : ""}` : e.message));
}

async function received(nc: NatsConnection, subject: string, queue?: string): Promise<string[]> {
  const got: string[] = [];
  nc.subscribe(subject, { ...(queue && { queue }), callback: (_e, m) => void got.push(m.subject) });
  await nc.flush();
  return got;
}

describe(`permissions through nats.js [${IMPL}]`, () => {
  test("the guide's user: events.* allowed, anything else refused; the connection stays open", async (t) => {
    const srv = await serverFor(t, { config: CONFIG });
    const admin = await connectOk(t, srv, { user: "admin", pass: "pw" });
    const app = await connectOk(t, srv, { user: "app", pass: "app-pw" });
    const errs = serverErrors(app);
    const seen = await received(admin, ">");
    const own = await received(app, "events.*");
    app.publish("events.login", "1");
    app.publish("other", "2");
    app.publish("events.a.b", "3");
    app.subscribe("other");
    assert.deepEqual(await violations(app, errs, 3), ["publish other", "publish events.a.b", "subscription other"]);
    await settle(app, admin);
    assert.deepEqual(seen, ["events.login"]);
    assert.deepEqual(own, ["events.login"]);
    assert.equal(app.isClosed(), false);
    admin.publish("events.x", "from admin");
    await settle(admin, app);
    assert.deepEqual(own, ["events.login", "events.x"]);
  });

  test("allow and deny together, wildcards on both sides, queue entries, delivery deny filter", async (t) => {
    const srv = await serverFor(t, { config: CONFIG });
    const admin = await connectOk(t, srv, { user: "admin", pass: "pw" });
    const m = await connectOk(t, srv, { user: "mixed", pass: "pw" });
    const errs = serverErrors(m);
    const wide = await received(m, "foo.*");
    m.subscribe("foo.hidden");
    m.subscribe("jobs");
    const workers = await received(m, "jobs", "workers");
    m.subscribe("jobs", { queue: "others" });
    m.publish("foo.secret");
    m.publish("foo.ok");
    assert.deepEqual(await violations(m, errs, 4), ["subscription foo.hidden", "subscription jobs", "subscription jobs others", "publish foo.secret"]);
    for (const s of ["foo.a", "foo.hidden", "foo.secret", "jobs"]) admin.publish(s);
    await settle(admin, m);
    assert.deepEqual(wide, ["foo.ok", "foo.a", "foo.secret"], "foo.hidden is filtered out of the wildcard subscription");
    assert.deepEqual(workers, ["jobs"]);
  });

  test("allow_responses: a service answers requests it received (up to max), nothing else", async (t) => {
    const srv = await serverFor(t, { config: CONFIG });
    const admin = await connectOk(t, srv, { user: "admin", pass: "pw" });
    const svc = await connectOk(t, srv, { user: "service", pass: "pw" });
    const errs = serverErrors(svc);
    let replyTo = "";
    svc.subscribe("rpc.echo", {
      callback: (_e, m) => {
        replyTo = m.reply ?? "";
        m.respond(`one:${m.string()}`);
        m.respond(`two:${m.string()}`);
        m.respond(`three:${m.string()}`);
      },
    });
    await svc.flush();
    const inbox = admin.subscribe("_INBOX.answers.>");
    admin.publish("rpc.echo", "hi", { reply: "_INBOX.answers.1" });
    const answers: string[] = [];
    for await (const m of inbox) {
      answers.push(m.string());
      if (answers.length === 2) break;
    }
    assert.deepEqual(answers, ["one:hi", "two:hi"]);
    svc.publish("rpc.other");
    assert.deepEqual(await violations(svc, errs, 2), [`publish ${replyTo}`, "publish rpc.other"]);
  });

  test("default_permissions apply to users without their own; an empty block restricts nothing", async (t) => {
    const srv = await serverFor(t, { config: CONFIG });
    const d = await connectOk(t, srv, { user: "defaulted", pass: "pw" });
    const errs = serverErrors(d);
    d.publish("defaults.x");
    d.publish("elsewhere");
    assert.deepEqual(await violations(d, errs, 1), ["publish elsewhere"]);
    const plain = await connectOk(t, srv, { user: "plain", pass: "pw" });
    const perrs = serverErrors(plain);
    plain.publish("anything.at.all");
    plain.subscribe(">");
    await plain.flush();
    assert.deepEqual(perrs, []);
  });

  test("a request through nats.js reports a permission violation on the reply subscription", async (t) => {
    const srv = await serverFor(t, { config: CONFIG });
    const app = await connectOk(t, srv, { user: "app", pass: "app-pw" });
    await assert.rejects(app.request("events.q", "", { timeout: 2000 }), (e: unknown) => e instanceof Error);
    assert.equal(app.isClosed(), false);
  });
});
