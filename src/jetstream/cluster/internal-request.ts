/**
 * A request from the server itself to whoever answers in the cluster: an internal subscription on a
 * fresh inbox (announced over routes, so an answer from another server finds it), one publish, the
 * first answer. The routes carry the inbox's interest ahead of the request on the same connection,
 * so a remote answer never races its own inbox. gatherInternal keeps every answer (one from each server).
 */
import type { Account } from "../../server/account.js";
import type { Server } from "../../server/server.js";
import { nuid } from "../../util/base62.js";

/** Resolves with the first answer's body, or undefined when none came within `timeoutMs`. */
export function requestInternal(server: Server, account: Account, subject: string, body: Buffer | string, timeoutMs: number): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const inbox = `$JSC.RI.${nuid()}`;
    let timer: NodeJS.Timeout | undefined = undefined;
    const sub = server.subscribeInternal(account, inbox, (_s, _r, payload, hdrLen) => {
      finish(Buffer.from((hdrLen > 0 ? payload.subarray(hdrLen) : payload)));
    });
    const finish = (answer: Buffer | undefined): void => {
      if (timer === undefined) return;
      clearTimeout(timer);
      timer = undefined;
      server.unsubscribeInternal(account, sub);
      resolve(answer);
    };
    timer = setTimeout(() => finish(undefined), timeoutMs);
    server.publishInternal(account, subject, inbox, body);
  });
}

/** Every answer that came within `timeoutMs`, sooner once `expect` have come. */
export function gatherInternal(server: Server, account: Account, subject: string, body: Buffer | string, expect: number, timeoutMs: number): Promise<Buffer[]> {
  return new Promise((resolve) => {
    const inbox = `$JSC.RI.${nuid()}`;
    const answers: Buffer[] = [];
    let timer: NodeJS.Timeout | undefined = undefined;
    const sub = server.subscribeInternal(account, inbox, (_s, _r, payload, hdrLen) => {
      answers.push(Buffer.from((hdrLen > 0 ? payload.subarray(hdrLen) : payload)));
      if (answers.length >= expect) finish();
    });
    const finish = (): void => {
      if (timer === undefined) return;
      clearTimeout(timer);
      timer = undefined;
      server.unsubscribeInternal(account, sub);
      resolve(answers);
    };
    timer = setTimeout(finish, timeoutMs);
    server.publishInternal(account, subject, inbox, body);
  });
}
