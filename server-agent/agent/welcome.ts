/** The `welcome` frame: what this agent is, what it can do, and the session settings it runs with. */
import type { SessionManager } from '../sessions/manager.js';
import type { Client } from './hub-client.js';
import type { HubOptions } from './hub-options.js';
import {
  type BusInfo,
  type Capability,
  PROTOCOL_VERSION,
  type SessionSettingsSummary,
  type WelcomeMessage,
} from './protocol.js';

export function settingsSummary(sessions: SessionManager): SessionSettingsSummary {
  const { settings, store } = sessions;
  return {
    cookieName: settings.sessionCookieName,
    engine: typeof settings.sessionEngine === 'string' ? settings.sessionEngine : store.engine,
    serializer: settings.sessionSerializer,
    ageSeconds: settings.sessionCookieAge,
    expireAtBrowserClose: settings.sessionExpireAtBrowserClose,
    saveEveryRequest: settings.sessionSaveEveryRequest,
    secure: settings.sessionCookieSecure,
    httpOnly: settings.sessionCookieHttponly,
    sameSite: settings.sessionCookieSamesite,
    domain: settings.sessionCookieDomain,
    path: settings.sessionCookiePath,
    store: {
      serverSide: store.capabilities.serverSide,
      list: store.capabilities.list,
      expiresOnItsOwn: store.capabilities.expiresOnItsOwn,
    },
  };
}

export function welcomeFor(
  sessions: SessionManager,
  options: HubOptions,
  client: Client,
  bus: BusInfo | null,
): WelcomeMessage {
  // 'commands' means the read commands at least; `readOnly` says whether writes are refused.
  const capabilities: Capability[] = [
    'events',
    'commands',
    'lazyValues',
    'requestView',
    'conflicts',
    'clock',
    'watch',
  ];
  if (sessions.store.capabilities.list) capabilities.push('list', 'search');
  const { clock } = sessions;
  return {
    v: 1,
    type: 'welcome',
    protocol: PROTOCOL_VERSION,
    agentVersion: options.agentVersion,
    clientId: client.id,
    capabilities,
    session: settingsSummary(sessions),
    limits: options.limits,
    readOnly: options.readOnly,
    watch: { all: client.watchAll, sessions: [...client.watching] },
    redaction: options.redact.describe,
    clock: { now: clock.nowMs(), offsetSeconds: clock.offsetSeconds, frozen: clock.frozen },
    bus,
  };
}
