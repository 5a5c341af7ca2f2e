/**
 * Security on the wire, compared byte for byte (after normalising ids) between nats-server 2.9.10 and
 * tsnats: INFO's auth fields (auth_required, nonce), authentication failures, permission violations
 * (publish, subscribe, queue, delivery filter), no_auth_user, accounts and their limits.
 */
import { expectClose, normalise, send, sync, type Transcript } from "../helpers/raw-session.js";
import { differentialSuite, msg, pub, quietConnect, type DiffCase } from "../differential/harness.js";

const AUTH = "-ERR 'Authorization Violation'";
const sortedFrames = (t: Transcript) => Object.fromEntries(Object.entries(normalise(t).conns).map(([k, v]) => [k, [...v].sort()]));
const CLOSED = "<closed>";
const as = (user: string, pass: string, extra: Record<string, unknown> = {}) => quietConnect({ user, pass, ...extra });

const USERS = `
authorization {
  users = [
    { user: "app", password: "pw", permissions: { publish: ["events.*"], subscribe: ["events.*"] } }
    { user: "q", password: "pw", permissions: {
        publish: { allow: ["foo.>"], deny: ["foo.bar"] }
        subscribe: { allow: ["foo.>", "bar q1"], deny: ["foo.baz"] } } }
    { user: "resp", password: "pw", permissions: { subscribe: "svc", allow_responses: true } }
    { user: "all", password: "pw" }
    { user: intl, password: §12§12§12 }
  ]
}
`;

const userCases: DiffCase[] = [
  {
    name: "wrong password: 'Authorization Violation' and close",
    steps: [send(as("app", "nope")), expectClose()],
    expect: { c: [AUTH, CLOSED] },
  },
  {
    // nats.js's "auth - weird chars": the config leaves the password unquoted, CONNECT carries it as UTF-8.
    name: "a non-ASCII password is compared as UTF-8 (2.9.10)",
    steps: [send(Buffer.from(as("intl", "§12§12§12") + "PING\r\n", "utf8")), sync(), send(Buffer.from(as("intl", "§12§12§1"), "utf8"), { on: "d" }), expectClose({ on: "d" })],
    expect: { c: ["PONG"], d: [AUTH, CLOSED] },
  },
  {
    name: "unknown user, and no credentials at all",
    steps: [send(as("ghost", "pw")), expectClose(), send(quietConnect(), { on: "d" }), expectClose({ on: "d" })],
    expect: { c: [AUTH, CLOSED], d: [AUTH, CLOSED] },
  },
  {
    name: "an op before CONNECT when auth is required",
    steps: [send("SUB x 1\r\n"), expectClose()],
    expect: { c: [AUTH, CLOSED] },
  },
  {
    name: "publish and subscribe violations keep the connection open",
    steps: [send(as("app", "pw") + "SUB events.* 1\r\nSUB other 2\r\nSUB events.> 3\r\n" + pub("events.x", "a") + pub("other", "b") + pub("events.x.y", "c")), sync()],
    expect: {
      c: [
        `-ERR 'Permissions Violation for Subscription to "other"'`,
        msg("MSG events.x 3 1", "a"),
        msg("MSG events.x 1 1", "a"),
        `-ERR 'Permissions Violation for Publish to "other"'`,
        `-ERR 'Permissions Violation for Publish to "events.x.y"'`,
      ],
    },
    // Which of two matching subscriptions gets a message first is the server's choice.
    view: sortedFrames,
  },
  {
    name: "allow and deny lists, queue permissions, delivery filter on a wildcard subscription",
    steps: [
      send(as("q", "pw") + "SUB foo.* 1\r\nSUB bar 2\r\nSUB bar q1 3\r\nSUB bar q2 4\r\nSUB foo.baz 5\r\nSUB foo.baz q1 6\r\n"),
      send(pub("foo.bar", "1") + pub("foo.baz", "2") + pub("foo.x", "3")),
      sync(),
    ],
    expect: {
      c: [
        `-ERR 'Permissions Violation for Subscription to "bar"'`,
        `-ERR 'Permissions Violation for Subscription to "bar" using queue "q2"'`,
        `-ERR 'Permissions Violation for Subscription to "foo.baz"'`,
        `-ERR 'Permissions Violation for Subscription to "foo.baz" using queue "q1"'`,
        `-ERR 'Permissions Violation for Publish to "foo.bar"'`,
        msg("MSG foo.x 1 1", "3"),
      ],
    },
  },
  {
    name: "allow_responses: one response to a received request, nothing else",
    steps: [
      send(as("resp", "pw") + "SUB svc 1\r\n"),
      sync(),
      send(as("all", "pw", { headers: true }) + "SUB reply.> 1\r\n" + pub("svc", "req", "reply.1"), { on: "r" }),
      sync("r"),
      sync(),
      send(pub("reply.1", "first") + pub("reply.1", "second") + pub("reply.2", "never")),
      sync(),
      sync("r"),
    ],
    expect: {
      c: [
        msg("MSG svc 1 reply.1 3", "req"),
        `-ERR 'Permissions Violation for Publish to "reply.1"'`,
        `-ERR 'Permissions Violation for Publish to "reply.2"'`,
      ],
      r: [msg("MSG reply.1 1 5", "first")],
    },
  },
];

const NO_AUTH_USER = `
authorization { users = [ { user: guest, password: g, permissions: { publish: "public.>" } }, { user: admin, password: a } ] }
no_auth_user: guest
`;

const noAuthCases: DiffCase[] = [
  {
    name: "no_auth_user: INFO has no auth_required; an anonymous client gets the user's permissions",
    steps: [send(quietConnect() + pub("secret", "x") + pub("public.x", "y")), sync(), send(as("admin", "bad"), { on: "d" }), expectClose({ on: "d" })],
    expect: { c: [`-ERR 'Permissions Violation for Publish to "secret"'`], d: [AUTH, CLOSED] },
  },
];

const NKEYS = `
authorization { users = [ { nkey: UDXU4RCSJNZOIQHZNWXHXORDPRTGNJAHAHFRGZNEEJCPQTT2M7NLCNF4 } ] }
`;

const nkeyCases: DiffCase[] = [
  {
    name: "nkey users: INFO carries a nonce; a bad signature is an Authorization Violation",
    steps: [send(quietConnect({ nkey: "UDXU4RCSJNZOIQHZNWXHXORDPRTGNJAHAHFRGZNEEJCPQTT2M7NLCNF4", sig: "AAAA" })), expectClose()],
    expect: { c: [AUTH, CLOSED] },
    inspect: (t) => {
      const info = t.conns.c!.frames[0];
      if (info?.kind !== "INFO" || typeof info.info?.nonce !== "string") throw new Error("nats-server's INFO has no nonce");
    },
  },
];

const ACCOUNTS = `
accounts {
  A: { users: [ {user: a, password: a} ], exports: [ {stream: "pub.>"} ], limits: { max_subscriptions: 1, max_payload: 8, max_connections: 2 } }
  B: { users: [ {user: b, password: b} ], imports: [ {stream: {account: A, subject: "pub.>"}, prefix: "a"} ] }
}
`;

const accountCases: DiffCase[] = [
  {
    name: "accounts: isolation, a stream import with a prefix, account subscription and payload limits",
    steps: [
      send(as("b", "b") + "SUB > 1\r\n", { on: "b" }),
      sync("b"),
      send(as("a", "a") + "SUB x 1\r\nSUB y 2\r\n" + pub("pub.1", "p") + pub("x", "private")),
      sync(),
      sync("b"),
      send(pub("big", "0123456789")),
      expectClose(),
    ],
    expect: {
      b: [msg("MSG a.pub.1 1 1", "p")],
      c: [`-ERR 'maximum subscriptions exceeded'`, msg("MSG x 1 7", "private"), "-ERR 'Maximum Payload Violation'", CLOSED],
    },
  },
];

differentialSuite("security: users and permissions", userCases, { config: USERS });
differentialSuite("security: no_auth_user", noAuthCases, { config: NO_AUTH_USER });
differentialSuite("security: nkeys", nkeyCases, { config: NKEYS });
differentialSuite("security: accounts", accountCases, { config: ACCOUNTS });
