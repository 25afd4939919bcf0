/**
 * The demo shop under Node's `cluster` module: `npx tsx examples/shop/cluster.ts [--engine redis|postgres]
 * [--workers 2] [--port 8000]`. Every worker serves the same port and attaches its own agent; the
 * agent bus (the store's own Redis or PostgreSQL) puts every worker's requests in one inspector
 * timeline, whichever worker the inspector's WebSocket lands on (or `sessionscope inspect --bus`).
 * Each response names its worker in `x-worker-pid`.
 */
import cluster from 'node:cluster';
import { parseArgs } from 'node:util';
import { startShop } from './server.js';

const { values } = parseArgs({
  options: {
    engine: { type: 'string', default: 'redis' },
    workers: { type: 'string', default: '2' },
    port: { type: 'string', default: process.env.PORT ?? '8000' },
  },
});

if (cluster.isPrimary) {
  const count = Number(values.workers);
  let listening = 0;
  for (let i = 0; i < count; i++) cluster.fork();
  cluster.on('listening', (_worker, address) => {
    if (++listening === count)
      console.log(`sessionscope shop cluster: ${count} workers at http://127.0.0.1:${address.port}/`);
  });
  cluster.on('exit', (worker, code) => {
    if (code !== 0) console.error(`worker ${worker.process.pid} exited with ${code}`);
  });
  const stop = () => {
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGTERM');
    setTimeout(() => process.exit(0), 2000).unref();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
} else {
  const shop = await startShop({
    engine: values.engine,
    port: Number(values.port),
    // Each process publishes on the bus; any agent (or `sessionscope inspect --bus`) shows them all.
    settings: {
      SESSION_AGENT_BUS:
        !process.env.SESSION_AGENT_BUS || process.env.SESSION_AGENT_BUS === 'true'
          ? true
          : process.env.SESSION_AGENT_BUS,
      ...(process.env.SESSION_AGENT_DEPLOYMENT
        ? { SESSION_AGENT_DEPLOYMENT: process.env.SESSION_AGENT_DEPLOYMENT }
        : {}),
    },
  });
  shop.server.prependListener('request', (_req, res) => res.setHeader('x-worker-pid', String(process.pid)));
  console.log(`worker ${process.pid}: inspector ${shop.inspectorUrl ?? 'off'}`);
  process.once('SIGTERM', () => {
    void shop.close().then(() => process.exit(0));
  });
}
