/**
 * U1: the Session methods that may touch the store. Each is counted while it runs (pending-ops.ts),
 * so the middleware can wait for calls the handler forgot to await. A method added to Session that
 * loads, saves or deletes belongs here too.
 */
export const TRACKED_SESSION_METHODS = [
  'data',
  'get',
  'set',
  'has',
  'remove',
  'pop',
  'setDefault',
  'update',
  'keys',
  'values',
  'items',
  'setTestCookie',
  'testCookieWorked',
  'deleteTestCookie',
  'getExpiryAge',
  'getExpiryDate',
  'getExpireAtBrowserClose',
  'setExpiry',
  'flush',
  'cycleKey',
  'exists',
  'create',
  'save',
  'load',
  'delete',
] as const;
