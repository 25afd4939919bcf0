/**
 * Redaction at the source: values under secret-looking keys never leave the process (the UI cannot
 * un-leak what was already sent). The default list follows Django's SafeExceptionReporterFilter.
 */
export type RedactOption = boolean | readonly RegExp[] | ((key: string) => boolean);

export const DEFAULT_REDACT_PATTERNS: readonly RegExp[] = [
  /pass(word|wd|phrase)?/i,
  /secret/i,
  /token/i,
  /csrf|xsrf/i,
  /api[-_ ]?key/i,
  /private[-_ ]?key/i,
  /credential/i,
  /signature/i,
  // Django's test cookie flag (`testcookie: "worked"`, set_test_cookie) is no secret.
  /^(?!testcookie$).*cookie/i,
  /^_auth_user_hash$/,
];

const MEMO_KEYS = 1000;

export interface Redactor {
  /** True when the value under this key (at any depth) must not be sent. */
  (key: string): boolean;
  /** The patterns as text, for `welcome`. */
  readonly describe: string[];
}

export function createRedactor(option: RedactOption | undefined): Redactor {
  if (option === false) return Object.assign(() => false, { describe: [] });
  if (typeof option === 'function')
    return Object.assign((key: string) => option(key), { describe: ['(custom function)'] });
  const patterns = option === undefined || option === true ? DEFAULT_REDACT_PATTERNS : option;
  const matches = (key: string) =>
    patterns.some((pattern) => {
      pattern.lastIndex = 0;
      return pattern.test(key);
    });
  // Every modified event asks about its key twice (before, after), and apps reuse a handful of
  // keys: remember the answers (patterns are fixed; a custom function above is not cached).
  const known = new Map<string, boolean>();
  const test = (key: string) => {
    let answer = known.get(key);
    if (answer === undefined) {
      answer = matches(key);
      if (known.size >= MEMO_KEYS) known.clear();
      known.set(key, answer);
    }
    return answer;
  };
  return Object.assign(test, { describe: patterns.map((pattern) => pattern.source) });
}
