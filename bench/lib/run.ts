/** The benchmark scenarios and the shape of one measured cell. */
import type { BenchApp } from './apps.js';
import type { Cell } from './measure.js';

export const SCENARIOS = {
  none: { path: '/none', cookie: false, label: 'no session' },
  untouched: { path: '/untouched', cookie: true, label: 'cookie present, untouched' },
  read: { path: '/read', cookie: true, label: 'read-only' },
  write: { path: '/write', cookie: true, label: 'write every request' },
  new: { path: '/new', cookie: false, label: 'new session every request' },
} as const;
export type Scenario = keyof typeof SCENARIOS;

export interface Result extends Cell {
  app: BenchApp;
  scenario: Scenario;
  opsPerRequest: number;
  /** Server CPU µs per request (user + system of the serving process), or NaN when in-process. */
  cpuUs: number;
  rssMiB: number;
}
