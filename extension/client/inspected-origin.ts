/**
 * The panel follows the inspected tab from site to site. Each origin has its own agent (or none)
 * and its own pairing: on arriving at an origin the panel drops the previous agent's state, then
 * connects with the pairing remembered for that origin, or asks the agent there (doctor probe) and
 * says "not paired yet" or "no agent on this origin". Quick successive navigations are settled by
 * a generation count: only the latest arrival may connect or speak.
 */
import type { KeyValueStorage } from '../platform/types.js';
import { type Diagnosis, diagnose, noAccess, noAgent } from './doctor.js';
import { loadPairing } from './pairing.js';
import type { AgentTarget } from './transport.js';

/** The origin of an http(s) URL; null for anything else (chrome://, about:blank, file:). */
export function originOf(url: string): string | null {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed.origin : null;
  } catch {
    return null;
  }
}

export interface OriginShell {
  store: { forgetAgent(): void; setProblem(problem: Diagnosis): void };
  /** Re-renders the UI for this inspected origin (cookie jar, pairing form). */
  setOrigin(origin: string | null): void;
  connect(target: AgentTarget, remembered?: boolean): void;
}

export interface OriginFollower {
  /** The origin the panel shows now (undefined before the first arrival). */
  readonly origin: string | null | undefined;
  /** The inspected tab is at `url` now; resolves once the panel is connected or has said why not. */
  arrive(url: string | null): Promise<void>;
  /** Arrives at the current origin again (after host access was granted). */
  retry(): Promise<void>;
}

export function followOrigins(deps: {
  shell: OriginShell;
  storage: KeyValueStorage;
  probe: (origin: string, token: string) => Promise<Diagnosis>;
  /** Whether the browser lets the panel send requests to `origin` (absent: always). */
  hasHostAccess?: (origin: string) => Promise<boolean>;
}): OriginFollower {
  const { shell } = deps;
  let current: string | null | undefined;
  let generation = 0;
  const follower: OriginFollower = {
    get origin() {
      return current;
    },
    retry() {
      const again = current;
      current = undefined;
      return follower.arrive(again ?? null);
    },
    async arrive(url) {
      const origin = url === null ? null : originOf(url);
      const first = current === undefined;
      if (!first && origin === current) return;
      const mine = ++generation;
      current = origin;
      if (!first) shell.store.forgetAgent();
      shell.setOrigin(origin);
      if (!origin) {
        shell.store.setProblem(diagnose('unreachable', 'The inspected page is not an http(s) page.'));
        return;
      }
      const target = await loadPairing(deps.storage, origin);
      if (mine !== generation) return;
      if (target) {
        shell.connect(target, true);
        return;
      }
      // Look for the agent first, so "not paired" is never shown for an app that has none.
      const found = await deps.probe(origin, '');
      if (mine !== generation) return;
      if (found.code !== 'unreachable') {
        shell.store.setProblem(diagnose('no_token', `Agent found at ${origin}; no pairing remembered yet.`));
        return;
      }
      const access = deps.hasHostAccess ? await deps.hasHostAccess(origin) : true;
      if (mine !== generation) return;
      shell.store.setProblem(access ? noAgent(origin, found.detail) : noAccess(origin));
    },
  };
  return follower;
}
