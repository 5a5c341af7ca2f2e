/**
 * The tool's version, printed by `tsnats --version` as the nats CLI prints its own: the bare version on
 * stdout. scripts/bundle.mjs writes package.json's version into the bundle that bin/tsnats runs; the CLI
 * may not import the server's version module (cli/ imports nothing else of src/), and reading package.json
 * at run time would need its path, which differs between the bundle and tsc's output.
 */
declare const TSNATS_PACKAGE_VERSION: string | undefined;

/** "development" outside the bundle, the word the nats CLI shows when it was built without a version. */
export const CLI_VERSION: string = typeof TSNATS_PACKAGE_VERSION === "string" ? TSNATS_PACKAGE_VERSION : "development";
