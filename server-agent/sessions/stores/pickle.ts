/**
 * Python pickle for Django's cache values, restricted to data: `unpickle` refuses every opcode
 * that could name or call code (pickle-load.ts), `pickle` writes what CPython's pickle.dumps
 * writes for the same value (pickle-dump.ts). Pure functions, no I/O.
 */
export { type Picklable, PickleError, pickle } from './pickle-dump.js';
export { type UnpickleLimits, unpickle } from './pickle-load.js';
export {
  PickleRefused,
  PyDatetime,
  PyFloat,
  type PyKey,
  PyTimedelta,
  PyTimezone,
  PyTuple,
  type PyValue,
} from './pickle-types.js';
