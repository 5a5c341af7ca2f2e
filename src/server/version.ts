/** The NATS server level tsnats implements: clients gate features on it (spec §9.2). */
export const NATS_VERSION = "2.11.0";
/** tsnats' own version, shown in INFO `go` and the logs. */
export const TSNATS_VERSION = "0.1.0";
