/**
 * The connection doctor: turns "the socket closed" into what is wrong and how to fix it. Browsers
 * hide why an upgrade was refused, so after a failed upgrade the doctor asks the agent directly with
 * a plain GET on the WebSocket path, which answers with a DoctorReport (see protocol.ts).
 */
import {
  CloseCode,
  type ConnectionErrorCode,
  type DoctorReport,
  type ErrorMessage,
  PROTOCOL_VERSION,
  WS_PATH,
  DOCTOR_TOKEN_HEADER,
  TOKEN_PROTOCOL_PREFIX,
} from '../../server-agent/agent/protocol.js';

export interface Diagnosis {
  code: ConnectionErrorCode | 'no_token' | 'no_access' | 'closed';
  title: string;
  fix: string;
  detail?: string;
}

const FIXES: Record<Diagnosis['code'], { title: string; fix: string }> = {
  unreachable: {
    title: 'Agent not reachable',
    fix: 'Start the app with the agent attached (attachAgent(server, sessions)) and check the origin and port.',
  },
  no_token: {
    title: 'Not paired yet',
    fix: 'Paste the inspector URL the server printed at start-up (it ends in #token=…) or just its token.',
  },
  no_access: {
    title: 'No access to this origin yet',
    fix: 'Grant the extension access to this origin (the button below), or paste the inspector URL from the server log to pair directly.',
  },
  token: {
    title: 'Token refused',
    fix: 'Paste the inspector URL from the server log (it ends in #token=…) or just its token.',
  },
  origin: {
    title: 'Origin refused',
    fix: 'Allow this extension in the agent options (allowedOrigins) or open the companion inspector instead.',
  },
  host: {
    title: 'Host refused',
    fix: 'Use localhost, 127.0.0.1 or [::1], or add the host to the agent allowedHosts.',
  },
  peer: {
    title: 'Remote address refused',
    fix: 'The agent only accepts loopback connections: browse from the same machine.',
  },
  version: {
    title: 'Protocol version mismatch',
    fix: 'Update the extension and the sessionscope package so both speak the same protocol.',
  },
  production: {
    title: 'Agent disabled in production',
    fix: 'The agent refuses to run with NODE_ENV=production. Use a development build of the app.',
  },
  too_many_clients: {
    title: 'Too many inspectors',
    fix: 'Close another panel or inspector tab connected to this agent.',
  },
  bad_frame: { title: 'Protocol error', fix: 'The agent could not read a message: update the extension.' },
  rate_limited: { title: 'Rate limited', fix: 'Too many commands per second; the panel reconnects shortly.' },
  slow_consumer: { title: 'Fell behind', fix: 'The panel could not keep up; it resyncs automatically.' },
  handshake_timeout: {
    title: 'Handshake timed out',
    fix: 'The agent waited too long for hello; reconnecting.',
  },
  closed: { title: 'Disconnected', fix: 'Reconnecting automatically.' },
};

export function diagnose(code: Diagnosis['code'], detail?: string): Diagnosis {
  return { code, ...FIXES[code], ...(detail ? { detail } : {}) };
}

/**
 * A token that worked before (this connection was welcomed with it, or it was the pairing remembered
 * for this origin) and is refused now: the agent restarted with a new one. One prompt, no retries.
 */
export function tokenChanged(agentOrigin: string | null): Diagnosis {
  return {
    code: 'token',
    title: 'The agent’s token changed',
    detail: `${agentOrigin ?? 'The agent'} no longer accepts the token this page was paired with: it restarted outside development or its token was rotated.`,
    fix: 'Paste the new inspector URL from the server log (or its token) to pair again. In development the agent keeps its token in .sessionscope/agent-token, so restarts keep the pairing.',
  };
}

/** The inspected site answers, but not as a sessionscope agent (or not at all). */
export function noAgent(origin: string, detail?: string): Diagnosis {
  return {
    code: 'unreachable',
    title: 'No agent on this origin',
    // The probe's own words when it has them ("answered HTTP 404 without…", "Failed to fetch").
    detail: detail ?? `${origin} has no sessionscope agent at ${WS_PATH}.`,
    fix: 'If this app uses sessionscope, attach the agent in development (attachAgent(server, sessions)) and reload; otherwise there is no session to inspect here.',
  };
}

/**
 * The probe could not reach `origin`, but the extension has no host access there: the browser
 * refused the request before it left, so "no agent" would be a guess. Say what to grant instead
 * (an app on shop.localhost or a host in allowedHosts is outside the manifest's localhost patterns).
 */
export function noAccess(origin: string): Diagnosis {
  return {
    ...diagnose('no_access'),
    detail: `The extension may not send requests to ${origin} until you allow it, so it cannot tell whether an agent runs there.`,
  };
}

export function diagnoseError(message: ErrorMessage): Diagnosis {
  const known = FIXES[message.code];
  let detail = message.message;
  if (message.code === 'version' && message.agentProtocol) {
    const { min, max } = message.agentProtocol;
    const direction = PROTOCOL_VERSION > max ? 'Update the sessionscope package' : 'Update the extension';
    detail = `Agent speaks v${min}–v${max}, this UI v${PROTOCOL_VERSION}. ${direction}.`;
  }
  return { code: message.code, title: known.title, fix: message.fix ?? known.fix, detail };
}

export function diagnoseClose(code: number): Diagnosis | null {
  if (code === CloseCode.version) return diagnose('version');
  if (code === CloseCode.tooManyClients) return diagnose('too_many_clients');
  if (code === CloseCode.rateLimited) return diagnose('rate_limited');
  if (code === CloseCode.slowConsumer) return diagnose('slow_consumer');
  if (code === CloseCode.handshakeTimeout) return diagnose('handshake_timeout');
  return null;
}

export type Fetcher = (
  url: string,
  init?: { headers: Record<string, string> },
) => Promise<{ status: number; json(): Promise<unknown> }>;

/** Asks the agent which handshake check fails for these credentials. */
export async function probe(
  origin: string,
  token: string,
  fetcher: Fetcher = globalThis.fetch,
): Promise<Diagnosis> {
  const url = new URL(WS_PATH, origin);
  // Never `?token=`: the token must not land in a request line (access logs). It rides in a header
  // as the same subprotocol entry the WebSocket offers.
  const headers: Record<string, string> = token
    ? { [DOCTOR_TOKEN_HEADER]: TOKEN_PROTOCOL_PREFIX + token }
    : {};
  let response: Awaited<ReturnType<Fetcher>>;
  try {
    response = await fetcher(url.href, { headers });
  } catch (error) {
    return diagnose('unreachable', `${origin}: ${error instanceof Error ? error.message : String(error)}`);
  }
  let report: Partial<DoctorReport> | null = null;
  try {
    report = (await response.json()) as Partial<DoctorReport>;
  } catch {
    report = null;
  }
  if (!report || typeof report.ok !== 'boolean') {
    return diagnose(
      'unreachable',
      `${origin} answered HTTP ${response.status} without a sessionscope agent on ${WS_PATH}.`,
    );
  }
  if (report.ok) return diagnose('closed', 'The agent accepts these credentials; the socket dropped.');
  return diagnose(report.code ?? 'unreachable', report.message);
}
