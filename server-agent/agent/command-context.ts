/** What every command handler gets, the failure they throw, and the helpers list and commands share. */
import { createHash } from 'node:crypto';
import type { Logger } from '../sessions/log.js';
import type { SessionManager } from '../sessions/manager.js';
import { pythonJsonSerializer, type SessionData } from '../sessions/serializer.js';
import type { PreviewLimits } from './preview.js';
import type { Limits, NackCode } from './protocol.js';
import type { Redactor } from './redact.js';

export interface CommandContext {
  sessions: SessionManager;
  redact: Redactor;
  limits: Limits;
  previewLimits: PreviewLimits;
  readOnly: boolean;
  audit: Logger;
}

export class CommandFailure extends Error {
  constructor(
    readonly code: NackCode,
    message: string,
    readonly revision?: string,
  ) {
    super(message);
  }
}

/** A digest of the data as the app's serializer writes it: equal data, equal revision. */
export function revisionOf(data: SessionData): string {
  return createHash('sha256').update(pythonJsonSerializer.dumps(data)).digest('base64url').slice(0, 16);
}

export function maskHandle(handle: string): string {
  return `${handle.slice(0, 6)}…`;
}
