import { type LogRecord, setLogSink } from '../../server-agent/sessions/log.js';

/** Collects log records for the duration of a test; call the returned stop() in a finally. */
export function captureLogs(): { records: LogRecord[]; stop: () => void } {
  const records: LogRecord[] = [];
  const stop = setLogSink((record) => records.push(record));
  return { records, stop };
}
