/**
 * attachAgent / startAgent: the WebSocket endpoint and the inspector page, with every handshake
 * check done in the HTTP `upgrade` handler before `handleUpgrade`, so an unauthenticated socket
 * never joins the client set.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { isProduction } from '../sessions/env.js';
import { AgentRefused } from '../sessions/errors.js';
import { createLogger } from '../sessions/log.js';
import type { SessionManager } from '../sessions/manager.js';
import {
  checkHost,
  checkOrigin,
  checkPeer,
  checkToken,
  isLoopbackAddress,
  isStrongToken,
  presentedToken,
  type Verdict,
} from './guard.js';
import { type BusOption, createAgentBus } from './bus-connect.js';
import { AgentHub } from './hub.js';
import { resolveLimits } from './hub-options.js';
import { EXTENSION_ID } from './extension-id.js';
import { serveInspector } from './inspector-page.js';
import { packageRoot } from './package-root.js';
import {
  type DoctorReport,
  INSPECTOR_PATH,
  type Limits,
  MIN_PROTOCOL_VERSION,
  PROTOCOL_VERSION,
  REFUSAL_HEADER,
  SUBPROTOCOL,
  WS_PATH,
  DOCTOR_TOKEN_HEADER,
} from './protocol.js';
import { createRedactor, type RedactOption } from './redact.js';
import { agentToken, announcement } from './token-file.js';
import { routeUpgrades } from './upgrades.js';

const log = createLogger('sessionscope:agent');
/** What every agent path starts with (INSPECTOR_PATH without its slash, WS_PATH). */
const AGENT_PREFIX = INSPECTOR_PATH.slice(0, -1);

/** The exact words that let the agent run with NODE_ENV=production (a staging box). */
export const PRODUCTION_OVERRIDE = 'I understand the risk';

export interface AgentOptions {
  /**
   * Fixed token (base64url, at least 22 characters = 128 bits). Default: 256 random bits, kept in
   * `.sessionscope/agent-token` (0600) in development so restarts keep the pairing (token-file.ts).
   */
  token?: string;
  /** Refuse every command that changes state. Default false: the panel exists to edit sessions. */
  readOnly?: boolean;
  /** true (default patterns), false, your own patterns, or a predicate on key names. */
  redact?: RedactOption;
  /** Pinned Chrome extension ids; default: sessionscope's own extension (EXTENSION_ID). */
  extensionIds?: readonly string[];
  /** Firefox extension origins are random per install, so they are trusted on the token alone. Default true. */
  allowMozExtension?: boolean;
  /** Host names besides localhost, *.localhost and IP literals. */
  allowedHosts?: readonly string[];
  allowInProduction?: typeof PRODUCTION_OVERRIDE;
  env?: NodeJS.ProcessEnv;
  /** Print the one startup line with the inspector URL. Default true. */
  announce?: boolean;
  limits?: Partial<Limits>;
  handshakeTimeoutMs?: number;
  /** Where the built inspector lives; default `<package root>/dist/inspector`. */
  inspectorDir?: string;
  /**
   * The bus that puts several processes' events in one timeline (default: SESSION_AGENT_BUS):
   * false, true (the store's own Redis or PostgreSQL) or a redis:// / postgres:// URL.
   */
  bus?: BusOption;
  /** Names the deployment on the bus (default: SESSION_AGENT_DEPLOYMENT, else "default"). */
  deployment?: string;
  /** How this process is named in the timeline (default: npm_package_name or the script's name). */
  appName?: string;
}

export interface StartAgentOptions extends AgentOptions {
  /** Loopback address to bind: 127.0.0.1 (default), ::1 or localhost. */
  host?: string;
  port?: number;
}

export interface AgentHandle {
  /** The inspector page, token in the fragment (never sent to a server). */
  readonly url: string;
  /** The WebSocket endpoint (without the token). */
  readonly wsUrl: string;
  readonly token: string;
  readonly hub: AgentHub;
  /** Resolves once the bus (if any) has connected, or failed to and is retrying. */
  readonly ready: Promise<void>;
  close(): Promise<void>;
}

function preflight(options: AgentOptions): { token: string; file: string | null } {
  const env = options.env ?? process.env;
  if (isProduction(env)) {
    if (options.allowInProduction !== PRODUCTION_OVERRIDE) {
      throw new AgentRefused(
        'The sessionscope agent does not run with NODE_ENV=production: it can read and change every user’s session. ' +
          `Remove attachAgent/startAgent from production code, or for a staging box pass { allowInProduction: '${PRODUCTION_OVERRIDE}' }.`,
      );
    }
    log.warn(
      '!!! sessionscope agent FORCED ON with NODE_ENV=production: anyone holding the token can read and change every session. Never do this on a production server. !!!',
    );
  }
  if (options.token === undefined) return agentToken(env);
  if (!isStrongToken(options.token))
    throw new AgentRefused(
      'The agent token must be at least 22 base64url characters (128 bits); omit `token` to get a random one.',
    );
  return { token: options.token, file: null };
}

interface Mounted {
  hub: AgentHub;
  ready: Promise<void>;
  onUpgrade: (req: IncomingMessage, socket: Duplex, head: Buffer) => void;
  onHttp: (req: IncomingMessage, res: ServerResponse) => boolean;
  close(): Promise<void>;
}

function mount(sessions: SessionManager, options: AgentOptions, token: string): Mounted {
  const limits: Limits = resolveLimits(options.limits);
  const bus = createAgentBus(
    sessions,
    { bus: options.bus, deployment: options.deployment, appName: options.appName },
    log,
  );
  // On a bus every process must name a session alike, or one session would show as several and a
  // command from one process could not find another's session (see handles.ts).
  if (bus) sessions.handles.share(sessions.settings.secretKey, bus.channel);
  const hub = new AgentHub(
    sessions,
    {
      readOnly: options.readOnly ?? false,
      redact: createRedactor(options.redact),
      limits,
      handshakeTimeoutMs: options.handshakeTimeoutMs ?? 5000,
      agentVersion: packageRoot().version,
    },
    bus,
  );
  const originPolicy = {
    extensionOrigins: (options.extensionIds ?? [EXTENSION_ID]).map((id) => `chrome-extension://${id}`),
    allowMozExtension: options.allowMozExtension ?? true,
  };
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: limits.maxPayloadBytes,
    perMessageDeflate: false,
    handleProtocols: (protocols) => (protocols.has(SUBPROTOCOL) ? SUBPROTOCOL : false),
  });
  const inspectorDir = options.inspectorDir ?? join(packageRoot().root, 'dist', 'inspector');

  const check = (req: IncomingMessage, withCredentials: boolean): Verdict => {
    const steps: (() => Verdict)[] = [
      () => checkPeer(req.socket.remoteAddress),
      () => checkHost(req.headers.host, options.allowedHosts),
    ];
    if (withCredentials) {
      steps.push(
        () => checkOrigin(req.headers.origin, req.headers.host, originPolicy),
        () =>
          checkToken(
            presentedToken(
              req.url,
              headerText(req.headers['sec-websocket-protocol']) ??
                headerText(req.headers[DOCTOR_TOKEN_HEADER]),
            ),
            token,
          ),
      );
    }
    for (const step of steps) {
      const verdict = step();
      if (!verdict.ok) return verdict;
    }
    return { ok: true };
  };

  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    const verdict = check(req, true);
    if (!verdict.ok)
      return refuseUpgrade(socket, verdict.code === 'token' ? 401 : 403, verdict.code, verdict.message);
    if (hub.full)
      return refuseUpgrade(
        socket,
        503,
        'too_many_clients',
        `At most ${limits.maxClients} inspector clients at once; close one.`,
      );
    wss.handleUpgrade(req, socket, head, (ws) => hub.accept(ws));
  };

  const onHttp = (req: IncomingMessage, res: ServerResponse): boolean => {
    // Every app request passes here: answer "not ours" without allocating.
    if (!(req.url ?? '/').startsWith(AGENT_PREFIX)) return false;
    const path = (req.url ?? '/').split('?', 1)[0] ?? '/';
    if (path === WS_PATH) {
      // The connection doctor's probe: which check a WebSocket with these credentials would fail.
      const verdict = check(req, true);
      const report: DoctorReport = verdict.ok
        ? {
            ok: true,
            message: 'The handshake would be accepted.',
            protocol: { min: MIN_PROTOCOL_VERSION, max: PROTOCOL_VERSION },
          }
        : {
            ok: false,
            code: verdict.code,
            message: verdict.message,
            protocol: { min: MIN_PROTOCOL_VERSION, max: PROTOCOL_VERSION },
          };
      res.writeHead(verdict.ok ? 200 : 403, {
        'content-type': 'application/json',
        'cache-control': 'no-store',
        ...(verdict.ok ? {} : { [REFUSAL_HEADER]: verdict.code }),
      });
      res.end(JSON.stringify(report));
      return true;
    }
    if (path === AGENT_PREFIX) {
      res.writeHead(308, { location: INSPECTOR_PATH }).end();
      return true;
    }
    if (!path.startsWith(INSPECTOR_PATH)) return false;
    const verdict = check(req, false);
    if (!verdict.ok) {
      res
        .writeHead(403, { 'content-type': 'text/plain; charset=utf-8', [REFUSAL_HEADER]: verdict.code })
        .end(`${verdict.message}\n`);
      return true;
    }
    void serveInspector(req, res, inspectorDir);
    return true;
  };

  return {
    hub,
    ready: hub.startBus(),
    onUpgrade,
    onHttp,
    async close() {
      await hub.close();
      wss.close();
    },
  };
}

function headerText(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(',') : value;
}

function refuseUpgrade(socket: Duplex, status: number, code: string, message: string): void {
  const body = `${message}\n`;
  const reason = status === 401 ? 'Unauthorized' : status === 503 ? 'Service Unavailable' : 'Forbidden';
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\n${REFUSAL_HEADER}: ${code}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}

function urlsFor(address: AddressInfo, token: string): { url: string; wsUrl: string } {
  const host =
    isLoopbackAddress(address.address) || address.address === '::' || address.address === '0.0.0.0'
      ? 'localhost'
      : address.address;
  const origin = `http://${host}:${address.port}`;
  return {
    url: `${origin}${INSPECTOR_PATH}#token=${token}`,
    wsUrl: `ws://${host}:${address.port}${WS_PATH}`,
  };
}

/** Adds the agent to the app's own HTTP server: `/__sessionscope/ws` and the inspector page. */
export function attachAgent(
  server: Server,
  sessions: SessionManager,
  options: AgentOptions = {},
): AgentHandle {
  const { token, file } = preflight(options);
  const mounted = mount(sessions, options, token);
  const appListeners = server.listeners('request') as ((req: IncomingMessage, res: ServerResponse) => void)[];
  server.removeAllListeners('request');
  const [onlyListener] = appListeners;
  const dispatch =
    appListeners.length === 1 && onlyListener
      ? (req: IncomingMessage, res: ServerResponse) => {
          if (!mounted.onHttp(req, res)) onlyListener.call(server, req, res);
        }
      : (req: IncomingMessage, res: ServerResponse) => {
          if (mounted.onHttp(req, res)) return;
          for (const listener of appListeners) listener.call(server, req, res);
        };
  const upgrades = routeUpgrades(server, mounted.onUpgrade);
  server.on('request', dispatch);
  const urls = () => {
    const address = server.address();
    return address && typeof address === 'object' ? urlsFor(address, token) : { url: '', wsUrl: '' };
  };
  const announce = () => {
    const address = server.address();
    if (address && typeof address === 'object' && !isLoopbackAddress(address.address)) {
      log.notice(`The app listens on ${address.address}; the agent still accepts loopback peers only.`);
    }
    if (options.announce !== false) log.notice(announcement(urls().url, file));
  };
  if (server.listening) announce();
  else server.once('listening', announce);
  return {
    get url() {
      return urls().url;
    },
    get wsUrl() {
      return urls().wsUrl;
    },
    token,
    hub: mounted.hub,
    ready: mounted.ready,
    async close() {
      server.off('listening', announce);
      upgrades.restore();
      server.off('request', dispatch);
      for (const listener of appListeners) server.on('request', listener);
      await mounted.close();
    },
  };
}

/** The agent on its own loopback port (port 0 by default: the OS picks a free one). */
export async function startAgent(
  sessions: SessionManager,
  options: StartAgentOptions = {},
): Promise<AgentHandle> {
  const { token, file } = preflight(options);
  const host = options.host ?? '127.0.0.1';
  if (host !== 'localhost' && !isLoopbackAddress(host)) {
    throw new AgentRefused(
      `startAgent binds to loopback only; ${JSON.stringify(host)} is not a loopback address. Use 127.0.0.1 or ::1.`,
    );
  }
  const mounted = mount(sessions, options, token);
  const server = createServer((req, res) => {
    if (!mounted.onHttp(req, res)) res.writeHead(404, { 'content-type': 'text/plain' }).end('Not found\n');
  });
  server.headersTimeout = 5000;
  server.requestTimeout = 10_000;
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    if ((req.url ?? '').split('?', 1)[0] === WS_PATH) mounted.onUpgrade(req, socket, head);
    else refuseUpgrade(socket, 404, 'path', `WebSocket endpoint is ${WS_PATH}.`);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  if (!isLoopbackAddress(address.address)) {
    server.close();
    throw new AgentRefused(
      `The agent ended up bound to ${address.address}, which is not loopback; refusing to run.`,
    );
  }
  const { url, wsUrl } = urlsFor(address, token);
  if (options.announce !== false) log.notice(announcement(url, file));
  return {
    url,
    wsUrl,
    token,
    hub: mounted.hub,
    ready: mounted.ready,
    async close() {
      await mounted.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
