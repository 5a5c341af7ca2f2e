/**
 * The `websocket` block: nats-server's keys and aliases, and its start-up checks with their texts.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { parseConfigText } from "../../src/config/conf-parser.js";
import { ConfigError } from "../../src/config/config-error.js";
import { optionsFromConfig } from "../../src/config/from-config.js";
import { withDefaults } from "../../src/config/options.js";
import { validateOptions } from "../../src/config/validate.js";

function read(text: string) {
  return optionsFromConfig(parseConfigText(text, "c.conf", { env: {} }));
}

function startErrors(text: string): string[] {
  return validateOptions(withDefaults(read(text).patch)).errors;
}

test("every key of the block, with nats-server's aliases", () => {
  const { patch, warnings } = read(`ws {
    listen: "127.0.0.1:8080"
    advertise: "ws.example.com:443"
    no_tls: true
    compress: true
    same_origin: true
    allowed_origin: "https://app.example.com"
    handshake_timeout: 3
    authentication { user: web, password: secret, timeout: 2.5 }
    no_auth_user: guest
    jwt_cookie: jc, user_cookie: uc, pass_cookie: pc, token_cookie: tc
    headers { "X-Frame-Options": "DENY" }
  }`);
  assert.deepEqual(warnings, []);
  assert.deepEqual(patch.websocket, {
    host: "127.0.0.1",
    port: 8080,
    advertise: "ws.example.com:443",
    noTls: true,
    compression: true,
    sameOrigin: true,
    allowedOrigins: ["https://app.example.com"],
    handshakeTimeoutMs: 3000,
    username: "web",
    password: "secret",
    authTimeoutMs: 2500,
    noAuthUser: "guest",
    jwtCookie: "jc",
    userCookie: "uc",
    passCookie: "pc",
    tokenCookie: "tc",
    headers: { "X-Frame-Options": "DENY" },
  });
  assert.equal(read(`websocket { port: 1, handshake_timeout: "250ms" }`).patch.websocket!.handshakeTimeoutMs, 250);
});

test("unknown keys and a users list in its authorization are errors", () => {
  assert.throws(() => read(`websocket { port: 1, bogus: 1 }`), (e: unknown) => e instanceof ConfigError && /unknown field "bogus"/.test(e.message));
  assert.throws(() => read(`websocket { port: 1, authorization { users: [ { user: a, password: b } ] } }`), ConfigError);
});

test("start-up checks: TLS or no_tls, origins, no_auth_user, credentials beside users, jwt_cookie, headers", () => {
  assert.deepEqual(startErrors(`websocket { port: 8080 }`), ["websocket requires TLS configuration"]);
  assert.deepEqual(startErrors(`websocket { port: 0 }`), []);
  assert.deepEqual(startErrors(`websocket { port: 8080, no_tls: true, allowed_origins: ["ftp://x.example", "http://"] }`), [
    'unable to parse allowed origin "ftp://x.example": allowed origins must be absolute URLs with http or https scheme',
    'unable to parse allowed origin "http://": host is required',
  ]);
  assert.deepEqual(startErrors(`websocket { port: 8080, no_tls: true, no_auth_user: nobody }`), ['no_auth_user: "nobody" present, but users are not defined']);
  assert.deepEqual(startErrors(`authorization { users: [ { user: a, password: b } ] }\nwebsocket { port: 8080, no_tls: true, authorization { user: w, password: x } }`), [
    "websocket authentication username not compatible with presence of users/nkeys",
  ]);
  assert.deepEqual(startErrors(`websocket { port: 8080, no_tls: true, jwt_cookie: jc }`), ['trusted operators or trusted keys configuration is required for JWT authentication via cookie "jc"']);
  assert.deepEqual(startErrors(`websocket { port: 8080, no_tls: true, headers { Upgrade: x, "Sec-WebSocket-Foo": y } }`), [
    'websocket: invalid header "Upgrade" not allowed',
    'websocket: invalid header "Sec-WebSocket-Foo", "Sec-WebSocket-" prefix not allowed',
  ]);
});
