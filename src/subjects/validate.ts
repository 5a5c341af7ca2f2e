/**
 * Subject rules: validity, wildcards, and token-level relations between subjects and filters.
 *
 * Subjects are JS strings decoded from the wire as latin1, one char per byte, so every check here
 * works on char codes as bytes. Tokens are separated by `.`; a token that is exactly `*` matches one
 * token, a token that is exactly `>` matches one or more and must be last. `*` or `>` inside a longer
 * token is a literal character.
 *
 * Two strictness levels exist because nats-server has two (observed on 2.9.10):
 * - the wire (SUB, and PUB in pedantic mode) only checks token structure: empty tokens, and `>`
 *   before the end. NUL, CR, FF and non-UTF-8 bytes inside a token are accepted and routed.
 *   Use `isValidSubscribeSubject` / `isValidLiteralSubject` there.
 * - configuration and APIs (permissions, stream subjects, mappings) also reject whitespace.
 *   Use `isValidSubject` / `isValidPublishSubject` there.
 */

const DOT = 0x2e;
const STAR = 0x2a;
const GT = 0x3e;

export interface SubjectCheckOptions {
  /** Also reject NUL and byte sequences that are not well-formed UTF-8 (nats-server's optional rune check). */
  readonly checkRunes?: boolean;
  /** More tokens than this is invalid; absent or 0 means no limit. */
  readonly maxTokens?: number;
}

/** Space, tab, CR, LF and FF: the bytes nats-server treats as whitespace inside a subject. */
function isWhitespace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0a || c === 0x0c;
}

/**
 * A subject that may contain wildcards, by the full rules: non-empty tokens, no whitespace,
 * `>` only as the last token.
 */
export function isValidSubject(subject: string, options?: SubjectCheckOptions): boolean {
  return checkSubject(subject, true, true, options);
}

/** A subject with no wildcard tokens, by the full rules (no empty tokens, no whitespace). */
export function isValidPublishSubject(subject: string, options?: SubjectCheckOptions): boolean {
  return checkSubject(subject, true, false, options);
}

/**
 * What a client's SUB may carry: token structure only (non-empty tokens, `>` last). This is exactly
 * what the Sublist accepts; nats-server answers anything else with `-ERR 'Invalid Subject'`.
 */
export function isValidSubscribeSubject(subject: string): boolean {
  return checkSubject(subject, false, true, undefined);
}

/** Token structure without wildcard tokens: the pedantic-mode check on PUB (`Invalid Publish Subject`). */
export function isValidLiteralSubject(subject: string): boolean {
  return checkSubject(subject, false, false, undefined);
}

function checkSubject(
  subject: string,
  rejectWhitespace: boolean,
  allowWildcards: boolean,
  options: SubjectCheckOptions | undefined,
): boolean {
  const len = subject.length;
  if (len === 0) return false;
  let tokens = 1;
  let tokenStart = 0;
  for (let i = 0; i <= len; i++) {
    const c = i < len ? subject.charCodeAt(i) : DOT;
    if (c === DOT) {
      const tokenLen = i - tokenStart;
      if (tokenLen === 0) return false;
      if (tokenLen === 1) {
        const t = subject.charCodeAt(tokenStart);
        if (t === STAR || t === GT) {
          if (!allowWildcards) return false;
          if (t === GT && i !== len) return false;
        }
      }
      if (i < len) tokens++;
      tokenStart = i + 1;
    } else if (rejectWhitespace && isWhitespace(c)) {
      return false;
    }
  }
  if (options === undefined) return true;
  const maxTokens = options.maxTokens ?? 0;
  if (maxTokens > 0 && tokens > maxTokens) return false;
  return options.checkRunes !== true || isWellFormedUtf8Bytes(subject);
}

/**
 * A queue group name as configuration and APIs should accept it: one or more non-empty tokens, no
 * whitespace, no wildcard tokens. nats-server 2.9.10 checks nothing about queue names on the wire
 * (`SUB foo q..b 1` is accepted), so the client protocol path should not apply this.
 */
export function isValidQueueName(queue: string): boolean {
  return checkSubject(queue, true, false, undefined);
}

/** True when some token is exactly `*` or `>`. */
export function hasWildcard(subject: string): boolean {
  const len = subject.length;
  for (let i = 0; i < len; i++) {
    const c = subject.charCodeAt(i);
    if (
      (c === STAR || c === GT) &&
      (i === 0 || subject.charCodeAt(i - 1) === DOT) &&
      (i + 1 === len || subject.charCodeAt(i + 1) === DOT)
    ) {
      return true;
    }
  }
  return false;
}

/** Number of `.`-separated tokens (0 for the empty string); what `max_sub_tokens` counts. */
export function tokenCount(subject: string): number {
  if (subject.length === 0) return 0;
  let n = 1;
  for (let i = subject.indexOf("."); i !== -1; i = subject.indexOf(".", i + 1)) n++;
  return n;
}

/**
 * Does `filter` (wildcards allowed) match the literal `subject`? Tokens of the subject are taken
 * literally, so `foo.*` as a subject is matched by `foo.*` and `foo.>` but not by `foo.bar`, as
 * nats-server routes a non-pedantic publish to `foo.*`. A subject with an empty token matches nothing.
 */
export function subjectMatches(filter: string, subject: string): boolean {
  const fl = filter.length;
  const sl = subject.length;
  if (fl === 0 || sl === 0) return false;
  let f = 0;
  let s = 0;
  for (;;) {
    let fe = filter.indexOf(".", f);
    if (fe === -1) fe = fl;
    if (fe - f === 1 && filter.charCodeAt(f) === GT) {
      return fe === fl && s < sl && !hasEmptyToken(subject, s);
    }
    let se = subject.indexOf(".", s);
    if (se === -1) se = sl;
    if (se === s) return false;
    if (!(fe - f === 1 && filter.charCodeAt(f) === STAR)) {
      if (fe - f !== se - s) return false;
      for (let i = 0; i < se - s; i++) {
        if (filter.charCodeAt(f + i) !== subject.charCodeAt(s + i)) return false;
      }
    }
    if (fe === fl || se === sl) return fe === fl && se === sl;
    f = fe + 1;
    s = se + 1;
  }
}

/** Whether `subject[from..]` (which starts a token) contains an empty token. */
function hasEmptyToken(subject: string, from: number): boolean {
  const len = subject.length;
  if (from >= len || subject.charCodeAt(from) === DOT || subject.charCodeAt(len - 1) === DOT) return true;
  return subject.indexOf("..", from) !== -1;
}

/**
 * Is every subject matched by filter `a` also matched by filter `b`? Both may contain wildcards.
 * JetStream uses this to decide whether one stream's subjects are contained in another's.
 */
export function subjectIsSubsetOf(a: string, b: string): boolean {
  const at = a.split(".");
  const bt = b.split(".");
  for (let i = 0; i < bt.length; i++) {
    const btok = bt[i];
    if (btok === ">") return i < at.length;
    if (i >= at.length) return false;
    const atok = at[i];
    if (atok === ">") return false;
    if (btok === "*") continue;
    if (atok === "*" || atok !== btok) return false;
  }
  return at.length === bt.length;
}

/** Is there at least one literal subject that both filters match? (JetStream's stream overlap check.) */
export function subjectsOverlap(a: string, b: string): boolean {
  const at = a.split(".");
  const bt = b.split(".");
  const n = Math.min(at.length, bt.length);
  for (let i = 0; i < n; i++) {
    const atok = at[i];
    const btok = bt[i];
    if (atok === ">" || btok === ">") return true;
    if (atok === "*" || btok === "*") continue;
    if (atok !== btok) return false;
  }
  return at.length === bt.length;
}

/** UTF-8 well-formedness of a latin1-decoded string (each char one byte), with no NUL byte. */
function isWellFormedUtf8Bytes(s: string): boolean {
  const len = s.length;
  let i = 0;
  while (i < len) {
    const b = s.charCodeAt(i);
    if (b === 0 || b > 0xff) return false;
    if (b < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) need = 1;
    else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      if (b === 0xe0) lo = 0xa0;
      else if (b === 0xed) hi = 0x9f; // no UTF-16 surrogates
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      if (b === 0xf0) lo = 0x90;
      else if (b === 0xf4) hi = 0x8f; // nothing above U+10FFFF
    } else return false;
    if (i + need >= len) return false;
    for (let k = 1; k <= need; k++) {
      const c = s.charCodeAt(i + k);
      if (k === 1 ? c < lo || c > hi : c < 0x80 || c > 0xbf) return false;
    }
    i += need + 1;
  }
  return true;
}
