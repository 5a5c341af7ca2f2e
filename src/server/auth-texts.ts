/** What authorization failures say: nats-server's -ERR texts and the user naming in its log lines. */
import type { AuthUser } from "../auth/auth-user.js";

export const AUTH_ERR = {
  maxAccountConnections: "maximum account active connections exceeded",
  userExpired: "User Authentication Expired",
  accountExpired: "Account Authentication Expired",
  userRevoked: "User Authentication Revoked",
} as const;

export function publishViolation(subject: string): string {
  return `Permissions Violation for Publish to "${subject}"`;
}

export function subscribeViolation(subject: string, queue: string | undefined): string {
  return queue === undefined ? `Permissions Violation for Subscription to "${subject}"` : `Permissions Violation for Subscription to "${subject}" using queue "${queue}"`;
}

/** nats-server's way of naming the user in violation log lines. */
export function authUserText(u: AuthUser | undefined): string {
  if (u === undefined || u.name === "") return `User "N/A"`;
  if (u.kind === "nkey") return `Nkey "${u.name}"`;
  if (u.kind === "jwt") return `JWT User "${u.name}"`;
  return `User "${u.name}"`;
}
