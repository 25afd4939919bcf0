/**
 * One benchmark app in its own process (started by child.ts): the load generator stays in the
 * parent, so this process's CPU time is the server's alone.
 */
import { APPS } from './registry.js';

const id = process.argv[2] ?? '';
const make = APPS[id];
if (!make) throw new Error(`unknown bench app ${id}`);
const running = await make().start();
process.send?.({ type: 'ready', url: running.url });
process.on('message', async (message: { type: string }) => {
  if (message.type === 'stats') {
    const cpu = process.cpuUsage();
    process.send?.({
      type: 'stats',
      ops: running.ops(),
      cpuUs: cpu.user + cpu.system,
      rss: process.memoryUsage().rss,
    });
  } else if (message.type === 'close') {
    await running.close();
    process.exit(0);
  }
});
