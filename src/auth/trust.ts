/**
 * Operator mode's root of trust: the operators (from operator JWTs or `trusted_keys`) and their signing
 * keys. An account JWT is trusted when an operator or one of its signing keys signed it.
 */
import type { Account, ClaimsData, Operator } from "@nats-io/jwt";
import { decodeJwt, JwtError, outsideValidity, signingKeys } from "./jwt.js";

export class Trust {
  /** Operator identity keys and signing keys. */
  readonly keys = new Set<string>();
  /** The system account named by an operator JWT, if any. */
  readonly systemAccount: string | undefined;
  readonly operators: ClaimsData<Operator>[] = [];

  constructor(operatorJwts: readonly string[], trustedKeys: readonly string[]) {
    let system: string | undefined;
    for (const jwt of operatorJwts) {
      const c = decodeJwt<Operator>(jwt, "operator");
      if (outsideValidity(c) === "expired") throw new JwtError(`operator JWT ${c.sub} has expired`);
      this.operators.push(c);
      this.keys.add(c.sub);
      for (const k of signingKeys(c.nats.signing_keys).keys()) this.keys.add(k);
      system ??= c.nats.system_account;
    }
    for (const k of trustedKeys) this.keys.add(k);
    this.systemAccount = system;
  }

  /** Decodes an account JWT and checks that a trusted key issued it; throws JwtError otherwise. */
  account(jwt: string): ClaimsData<Account> {
    const c = decodeJwt<Account>(jwt, "account");
    if (!this.keys.has(c.iss)) throw new JwtError(`account ${c.sub} is not signed by a trusted operator`);
    return c;
  }
}
