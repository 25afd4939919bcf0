/**
 * A client's command: run it, answer ack or nack with the command's id, and for writes leave an
 * audit line plus an `agent.command` event so every panel sees the edit.
 */
import type { Logger } from '../sessions/log.js';
import { type CommandContext, CommandFailure, maskHandle } from './command-context.js';
import { runCommand } from './commands.js';
import type { ConflictTracker } from './conflicts.js';
import { type Client, send } from './hub-client.js';
import { type CommandMessage, type WireEvent, WRITE_OPS } from './protocol.js';

export interface CommandRunner {
  ctx: CommandContext;
  conflicts: ConflictTracker;
  audit: Logger;
  publish(event: WireEvent): void;
}

export async function runClientCommand(
  runner: CommandRunner,
  client: Client,
  command: CommandMessage,
): Promise<void> {
  const requestId = `a${client.id}.${command.id}`;
  const write = WRITE_OPS.includes(command.op);
  const target = 'session' in command ? maskHandle(command.session) : '-';
  try {
    const ack = await runCommand(runner.ctx, command, requestId);
    send(client, ack);
    if (write) audited(runner, client, command, target, requestId, null);
  } catch (error) {
    const failure = error instanceof CommandFailure ? error : new CommandFailure('internal', String(error));
    send(client, {
      v: 1,
      type: 'nack',
      id: command.id,
      code: failure.code,
      message: failure.message,
      ...(failure.revision ? { revision: failure.revision } : {}),
    });
    if (write) audited(runner, client, command, target, requestId, failure);
  } finally {
    runner.conflicts.forget(requestId);
  }
}

function audited(
  runner: CommandRunner,
  client: Client,
  command: CommandMessage,
  target: string,
  requestId: string,
  failure: CommandFailure | null,
): void {
  runner.audit.notice(
    `${client.id} ${command.op} session=${target} ${failure ? `refused (${failure.code})` : 'ok'}`,
  );
  const session = 'session' in command ? command.session : undefined;
  runner.publish({
    type: 'agent.command',
    at: runner.ctx.sessions.clock.nowMs(),
    requestId,
    ...(session ? { session } : {}),
    op: command.op,
    client: client.id,
    ok: failure === null,
    ...(failure ? { code: failure.code } : {}),
  });
}
