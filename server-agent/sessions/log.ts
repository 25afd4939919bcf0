/**
 * A namespaced logger. debug() lines appear when DEBUG matches the namespace (DEBUG=sessionscope:*);
 * notices, warnings and errors go to the sink (stderr by default, replaceable for tests and apps).
 */
import { scrubError, scrubKeys } from './key-scrub.js';

export type Level = 'debug' | 'notice' | 'warn' | 'error';
export interface LogRecord {
  level: Level;
  namespace: string;
  message: string;
  error?: unknown;
}
export type LogSink = (record: LogRecord) => void;

const defaultSink: LogSink = (record) => {
  const suffix = record.error instanceof Error ? `: ${record.error.message}` : '';
  process.stderr.write(
    `[${record.namespace}] ${record.level === 'notice' ? '' : `${record.level}: `}${record.message}${suffix}\n`,
  );
};

let sink: LogSink = defaultSink;
let debugPattern = compile(process.env.DEBUG ?? '');

/** Replace where log lines go; returns a function restoring the previous sink. */
export function setLogSink(next: LogSink | null): () => void {
  const previous = sink;
  sink = next ?? defaultSink;
  return () => {
    sink = previous;
  };
}

export function setDebug(pattern: string): void {
  debugPattern = compile(pattern);
}

function compile(pattern: string): RegExp | null {
  const parts = pattern.split(/[\s,]+/).filter(Boolean);
  if (parts.length === 0) return null;
  const escaped = parts.map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*'));
  return new RegExp(`^(?:${escaped.join('|')})$`);
}

export interface Logger {
  /** True when debug lines of this namespace are shown (DEBUG matches): skip work meant only for them. */
  readonly enabled: boolean;
  debug(message: string): void;
  notice(message: string): void;
  warn(message: string, error?: unknown): void;
  error(message: string, error?: unknown): void;
}

/** Every record passes the one key scrubber (S5): no raw session key in any log line. */
function emit(record: LogRecord): void {
  record.message = scrubKeys(record.message);
  if (record.error !== undefined) scrubError(record.error);
  sink(record);
}

export function createLogger(namespace: string): Logger {
  return {
    get enabled() {
      return debugPattern?.test(namespace) ?? false;
    },
    debug(message) {
      if (debugPattern?.test(namespace)) emit({ level: 'debug', namespace, message });
    },
    notice: (message) => emit({ level: 'notice', namespace, message }),
    warn: (message, error) => emit({ level: 'warn', namespace, message, error }),
    error: (message, error) => emit({ level: 'error', namespace, message, error }),
  };
}

/** Django logs decode failures on django.security.SuspiciousSession; this is that logger. */
export const securityLog = createLogger('sessionscope:security:SuspiciousSession');
