/** The NATS server level tsnats implements: clients gate features on it (spec §9.2). */
export const NATS_VERSION = "2.11.0";
/**
 * The JetStream API level implemented: 1 is nats-server 2.11's (TTLs, batch direct get, priority groups).
 * Account info reports it, and INFO carries it as `api_lvl` (nats-server 2.12+ sends its level there).
 */
export const JS_API_LEVEL = 1;
/** tsnats' own version, shown in INFO `go` and the logs. */
export const TSNATS_VERSION = "0.1.0";
/** What INFO and /varz carry in `go` (nats-server's Go version field): our name and runtime. */
export const GO_FIELD = `tsnats/${TSNATS_VERSION} node/${process.version}`;
