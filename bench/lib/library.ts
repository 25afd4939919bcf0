/**
 * sessionscope as its users run it: the compiled package (`npm run build` → dist/), not the
 * TypeScript source through tsx. tsx compiles with esbuild's keepNames, which wraps every function
 * and closure in a `__name()` call (an Object.defineProperty per closure created), a per-request
 * cost the shipped code does not have and the peers (plain JavaScript) never pay.
 * BENCH_FROM_SOURCE=1 measures the source instead (no build needed, slower).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type * as Agent from '../../server-agent/agent/agent.js';
import type * as Create from '../../server-agent/create.js';
import type * as FastifyAdapter from '../../server-agent/http/fastify.js';
import type * as KoaAdapter from '../../server-agent/http/koa.js';
import type * as Middleware from '../../server-agent/http/middleware.js';
import type * as Log from '../../server-agent/sessions/log.js';

const fromSource = process.env.BENCH_FROM_SOURCE === '1';
/** BENCH_DIST=<folder>/server-agent measures another build (an older commit's, for before/after). */
const root = process.env.BENCH_DIST
  ? pathToFileURL(`${process.env.BENCH_DIST.replace(/\/$/, '')}/`)
  : new URL(fromSource ? '../../server-agent/' : '../../dist/server-agent/', import.meta.url);
if (!fromSource && !existsSync(fileURLToPath(new URL('create.js', root))))
  throw new Error(
    'bench: dist/server-agent is missing; run `npm run build` first (or BENCH_FROM_SOURCE=1 to measure the TypeScript source).',
  );

export const LIBRARY_BUILD = process.env.BENCH_DIST
  ? `the build in ${process.env.BENCH_DIST}`
  : fromSource
    ? 'TypeScript source through tsx'
    : 'the compiled package (dist/)';
export const { createSessions } = (await import(new URL('create.js', root).href)) as typeof Create;
export const { fastifySessions } = (await import(
  new URL('http/fastify.js', root).href
)) as typeof FastifyAdapter;
export const { koaSessions } = (await import(new URL('http/koa.js', root).href)) as typeof KoaAdapter;
export const { attachAgent } = (await import(new URL('agent/agent.js', root).href)) as typeof Agent;
export const { createMiddlewareCore } = (await import(
  new URL('http/middleware.js', root).href
)) as typeof Middleware;
/** The build's own log sink (a source import would silence another module instance). */
export const { setLogSink } = (await import(new URL('sessions/log.js', root).href)) as typeof Log;
