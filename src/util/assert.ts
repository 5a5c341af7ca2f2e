/**
 * Invariant checks that stay on in production: a violated invariant in a store or a state machine
 * means its data can no longer be trusted, so the owner must stop (see DESIGN.md "Invariants"), never
 * carry on silently. Keep the checked conditions cheap.
 */
export class InvariantError extends Error {
  override readonly name = "InvariantError";
}

export function assert(cond: boolean, what: string): asserts cond {
  if (!cond) throw new InvariantError(`invariant violated: ${what}`);
}
