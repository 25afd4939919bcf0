/** Lifecycle events grouped per request, with per-key diffs, conflict markers and the log controls. */
import { useState } from 'preact/hooks';
import type { WireEvent } from '../../server-agent/agent/protocol.js';
import { groupByRequest, type RequestGroup } from '../client/reduce-events.js';
import { procLabel } from './BusBar.js';
import { formatBytes, formatTime, previewText, shortHandle } from './format.js';
import { exportTimeline, parseTimeline } from './timeline-io.js';
import { useApp, useStoreState } from './use-store.js';
import './timeline.css';

function describe(event: WireEvent): string {
  switch (event.type) {
    case 'request.start':
      return `${event.method} ${event.path}${event.cookiePresent ? ' (cookie sent)' : ' (no cookie)'}`;
    case 'request.end':
      return `${event.status} in ${event.ms.toFixed(1)} ms · accessed ${event.accessed ? 'yes' : 'no'} · modified ${event.modified ? 'yes' : 'no'} · ${event.saved ? 'saved' : `not saved (${event.notSavedReason ?? 'n/a'})`}`;
    case 'session.loaded':
      return `loaded: ${event.outcome}, ${event.keys} keys, ${event.ms.toFixed(1)} ms`;
    case 'session.saved':
      return `saved ${formatBytes(event.bytes)} in ${event.ms.toFixed(1)} ms${event.mustCreate ? ' (created)' : ''}`;
    case 'session.flushed':
      return `flushed: ${event.keys.join(', ') || 'no keys'}`;
    case 'session.keyCycled':
      return `key cycled ${event.from ? shortHandle(event.from) : '∅'} → ${shortHandle(event.to)}`;
    case 'session.expiryChanged':
      return `expiry → ${event.policy}${event.value !== null ? ` (${event.value})` : ''}`;
    case 'session.expired':
      return `expired: ${event.reason}`;
    case 'session.conflict':
      return `lost update: overwrote ${event.overwrittenKeys.join(', ')}`;
    case 'session.interrupted':
      return `interrupted: ${event.message}`;
    case 'session.warning':
      return `${event.code}: ${event.message}`;
    case 'cookie.set':
      return `Set-Cookie ${event.header}`;
    case 'cookie.deleted':
      return `cookie deleted: ${event.header}`;
    case 'clock.changed':
      return `clock offset ${event.offsetSeconds}s${event.frozen ? ' (frozen)' : ''}`;
    case 'request.summary':
      return summaryText(event);
    case 'requests.skipped':
      return skippedText(event);
    case 'agent.command':
      return `command ${event.op} by ${event.client}: ${event.ok ? 'ok' : `refused (${event.code ?? '?'})`}`;
    default:
      return event.type.replace('session.', '');
  }
}

/** A request the agent summarized because its session was not followed (protocol 2). */
function summaryText(event: Extract<WireEvent, { type: 'request.summary' }>): string {
  const parts = [
    `${event.status} in ${event.ms.toFixed(1)} ms`,
    event.loaded ? `loaded: ${event.loaded}` : null,
    event.changed ? `changed ${event.changed.join(', ')}` : null,
    event.flushed ? 'flushed' : null,
    event.cycled ? 'key cycled' : null,
    event.expired ? `expired: ${event.expired}` : null,
    event.saved ? 'saved' : `not saved (${event.notSavedReason ?? 'n/a'})`,
    event.cookie ? `cookie ${event.cookie}` : null,
    `summary of ${event.events} events (follow the session or keep this tab open for all of them)`,
  ];
  return parts.filter((p) => p !== null).join(' · ');
}

/** Requests the agent counted instead of summarizing: past its summary budget, on sessions nobody followed (protocol 3). */
export function skippedText(event: Extract<WireEvent, { type: 'requests.skipped' }>): string {
  const many = event.count === 1 ? 'request' : 'requests';
  return `${event.count.toLocaleString('en')} more ${many} on sessions nobody follows, counted, not listed (over ${event.perSecond.toLocaleString('en')} a second; follow one, or keep this tab open, to see all)`;
}

/** What the filter searches: the request line, the status, and every event's text, changed keys and values included. */
export function groupText(group: RequestGroup): string {
  return [
    group.method,
    group.path,
    group.status,
    group.session,
    ...group.entries.map((e) => {
      const event = e.event;
      const changed =
        event.type === 'session.modified'
          ? ` ${event.key} ${previewText(event.before)} ${previewText(event.after)}`
          : '';
      return `${event.type} ${describe(event)}${changed}`;
    }),
  ]
    .join(' ')
    .toLowerCase();
}

/**
 * The panels' own reads (getSession/getValue, which carry a command id "a<client>.<n>", or none)
 * load the session too: not worth a row. Writes from a panel also carry an agent.command event.
 */
export function isInspectorRead(group: RequestGroup): boolean {
  const own = group.requestId === null || group.requestId.startsWith('a');
  return (
    own && group.entries.every((e) => e.event.type === 'session.loaded' || e.event.type === 'session.expired')
  );
}

function EventRow({ event }: { event: WireEvent }) {
  if (event.type === 'session.modified') {
    return (
      <li class="ev diff">
        <span class="ev-type">{event.op}</span>
        <span class="key">{event.key}</span>
        {event.op !== 'set' || event.before ? <del>{previewText(event.before)}</del> : null}
        {event.op === 'set' && (
          <>
            <span class="arrow">→</span>
            <ins>{previewText(event.after)}</ins>
          </>
        )}
      </li>
    );
  }
  return (
    <li class={`ev${event.type === 'session.conflict' || event.type === 'session.expired' ? ' bad' : ''}`}>
      <span class="ev-type">{event.type}</span> {describe(event)}
    </li>
  );
}

export function Timeline() {
  const { store } = useApp();
  const timeline = useStoreState((s) => s.timeline);
  const held = useStoreState((s) => s.held.length);
  const paused = useStoreState((s) => s.paused);
  const preserve = useStoreState((s) => s.preserveLog);
  const bus = useStoreState((s) => s.bus);
  const [filter, setFilter] = useState('');
  const [importError, setImportError] = useState<string | null>(null);
  const groups = groupByRequest(timeline).filter(
    (g) => !isInspectorRead(g) && (!filter || groupText(g).includes(filter.toLowerCase())),
  );
  const download = (): void => {
    const blob = new Blob([exportTimeline(timeline)], { type: 'application/json' });
    const a = document.createElement('a');
    a.href = URL.createObjectURL(blob);
    a.download = `sessionscope-timeline-${Date.now()}.json`;
    a.click();
    URL.revokeObjectURL(a.href);
  };
  const upload = async (file: File | undefined): Promise<void> => {
    if (!file) return;
    const parsed = parseTimeline(await file.text());
    if (!parsed.ok) setImportError(parsed.error);
    else {
      setImportError(null);
      store.importTimeline(parsed.entries);
    }
  };
  return (
    <section class="pane timeline" aria-label="Timeline">
      <div class="toolbar">
        <input
          type="search"
          aria-label="Filter timeline"
          placeholder="Filter"
          value={filter}
          onInput={(e) => setFilter(e.currentTarget.value)}
        />
        <button type="button" aria-pressed={paused} onClick={() => store.setPaused(!paused)}>
          {paused ? `Resume${held ? ` (${held})` : ''}` : 'Pause'}
        </button>
        <label>
          <input
            type="checkbox"
            checked={preserve}
            onChange={(e) => store.setPreserveLog(e.currentTarget.checked)}
          />{' '}
          Preserve log
        </label>
        <button type="button" onClick={() => store.clearTimeline()}>
          Clear
        </button>
        <button type="button" onClick={download}>
          Export
        </button>
        <label class="button">
          Import
          <input
            type="file"
            accept="application/json"
            hidden
            onChange={(e) => void upload(e.currentTarget.files?.[0])}
          />
        </label>
        {importError && (
          <span class="inline-error" role="alert">
            {importError}
          </span>
        )}
      </div>
      <ol class="requests">
        {groups.length === 0 && (
          <li class="empty" data-testid="timeline-empty">
            {filter && timeline.length > 0
              ? `No request matches "${filter}".`
              : 'No session activity yet. Load a page of the app.'}
          </li>
        )}
        {groups.map((g) => (
          <li key={g.key} class={`request${g.conflict ? ' conflict' : ''}`} data-request={g.requestId ?? ''}>
            <div class="request-head">
              <span class="time">{formatTime(g.entries[0]!.event.at)}</span>
              {g.method ? (
                <span class="method">
                  {g.method} {g.path}
                </span>
              ) : (
                <span class="method muted">{g.entries[0]!.event.type}</span>
              )}
              {procLabel(bus, g.entries[0]?.event.proc) && (
                <span class="proc">{procLabel(bus, g.entries[0]?.event.proc)}</span>
              )}
              {g.status !== undefined && (
                <span class={`status s${Math.floor(g.status / 100)}`}>{g.status}</span>
              )}
              {g.session && (
                <button
                  type="button"
                  class="link handle"
                  title="Show this session"
                  onClick={() => store.select(g.session ?? null)}
                >
                  {shortHandle(g.session)}
                </button>
              )}
              {g.conflict && (
                <span class="badge conflict" title="Two overlapping requests both saved">
                  ⚠ conflict
                </span>
              )}
            </div>
            <ul class="events">
              {g.entries
                .filter((e) => e.event.type !== 'request.start')
                .map((e) => (
                  <EventRow key={`${e.epoch}:${e.seq}`} event={e.event} />
                ))}
            </ul>
          </li>
        ))}
      </ol>
    </section>
  );
}
