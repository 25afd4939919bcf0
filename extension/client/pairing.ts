/**
 * Pairing: the server prints an inspector URL carrying the token in its fragment
 * (`http://localhost:3000/__sessionscope/#token=…`). Pasting it (or the bare token) pairs the panel
 * with that agent; the result is remembered per inspected origin.
 */
import type { KeyValueStorage } from '../platform/types.js';
import type { AgentTarget } from './transport.js';

const TOKEN_PATTERN = /^[A-Za-z0-9_-]{16,}$/;

export function tokenFromFragment(hash: string): string | null {
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  const token = params.get('token');
  return token && TOKEN_PATTERN.test(token) ? token : null;
}

export function parsePairing(
  input: string,
  inspectedOrigin: string | null,
): { ok: true; target: AgentTarget } | { ok: false; error: string } {
  const text = input.trim();
  if (TOKEN_PATTERN.test(text)) {
    if (!inspectedOrigin)
      return { ok: false, error: 'No inspected page: paste the whole inspector URL instead.' };
    return { ok: true, target: { origin: inspectedOrigin, token: text } };
  }
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return {
      ok: false,
      error: 'Paste the inspector URL the server printed (…/__sessionscope/#token=…) or its token.',
    };
  }
  const token = tokenFromFragment(url.hash) ?? url.searchParams.get('token');
  if (!token)
    return { ok: false, error: 'That URL has no #token=… part: copy the whole line from the server log.' };
  return { ok: true, target: { origin: url.origin, token } };
}

const key = (origin: string): string => `pairing:${origin}`;

export async function loadPairing(
  storage: KeyValueStorage,
  inspectedOrigin: string,
): Promise<AgentTarget | null> {
  const raw = await storage.get(key(inspectedOrigin));
  if (!raw) return null;
  try {
    const target = JSON.parse(raw) as Partial<AgentTarget>;
    return typeof target.origin === 'string' && typeof target.token === 'string'
      ? { origin: target.origin, token: target.token }
      : null;
  } catch {
    return null;
  }
}

export function savePairing(
  storage: KeyValueStorage,
  inspectedOrigin: string,
  target: AgentTarget,
): Promise<void> {
  return storage.set(key(inspectedOrigin), JSON.stringify(target));
}
