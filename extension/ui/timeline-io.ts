/** Export and import of the timeline as JSON, for attaching to a bug report and replaying it later. */
import type { TimelineEntry } from '../client/state.js';

export const TIMELINE_FORMAT = 'sessionscope-timeline';

export interface TimelineFile {
  format: typeof TIMELINE_FORMAT;
  version: 1;
  exportedAt: string;
  entries: TimelineEntry[];
}

export function exportTimeline(entries: TimelineEntry[], now = new Date()): string {
  const file: TimelineFile = { format: TIMELINE_FORMAT, version: 1, exportedAt: now.toISOString(), entries };
  return JSON.stringify(file, null, 2);
}

export function parseTimeline(
  text: string,
): { ok: true; entries: TimelineEntry[] } | { ok: false; error: string } {
  let data: Partial<TimelineFile>;
  try {
    data = JSON.parse(text) as Partial<TimelineFile>;
  } catch {
    return { ok: false, error: 'Not JSON: pick a file saved with "Export".' };
  }
  if (data.format !== TIMELINE_FORMAT || !Array.isArray(data.entries)) {
    return { ok: false, error: `Not a ${TIMELINE_FORMAT} file (missing "format" or "entries").` };
  }
  const valid = data.entries.every(
    (e) =>
      e &&
      typeof e.seq === 'number' &&
      e.event &&
      typeof e.event.type === 'string' &&
      typeof e.event.at === 'number',
  );
  return valid
    ? { ok: true, entries: data.entries.map((e) => ({ ...e, epoch: e.epoch ?? 0 })) }
    : { ok: false, error: 'Entries are malformed.' };
}
