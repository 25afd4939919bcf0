/**
 * Child process for the F5 kill test: writes sessions to the file store as fast as it can (create,
 * update, cycle, delete) until it is SIGKILLed. Prints "go" once the first write has started.
 */
import { createSessionManager } from '../../server-agent/sessions/manager.js';

const dir = process.env.SESSION_DIR as string;
const sessions = createSessionManager({
  SECRET_KEY: 'file-writer-secret-0123456789abcdef',
  SESSION_ENGINE: 'file',
  SESSION_FILE_PATH: dir,
});
let announced = false;
for (let i = 0; ; i++) {
  const session = sessions.open();
  await session.set('blob', 'x'.repeat(2_000 + (i % 7) * 500));
  if (!announced) {
    process.stdout.write('go\n');
    announced = true;
  }
  await session.save();
  await session.set('i', i);
  await session.save();
  if (i % 3 === 0) await session.cycleKey();
  if (i % 5 === 0) await session.delete();
}
