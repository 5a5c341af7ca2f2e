/**
 * Checks of invariants whose violation would lose or corrupt data. They stay on in production (each is
 * a comparison or two): a broken invariant must stop the component that holds it, loudly, instead of
 * letting it carry on and write wrong data. The owner catches InvariantError at its boundary and takes
 * that stream, consumer or group offline; the server itself keeps running.
 */
export class InvariantError extends Error {
  override readonly name = "InvariantError";
}

export function assert(cond: unknown, what: string | (() => string)): asserts cond {
  if (!cond) throw new InvariantError(typeof what === "string" ? what : what());
}
