/**
 * The agent bus (several app processes in one timeline): which processes feed it, what was dropped
 * or ignored, and that the virtual clock belongs to the connected process only.
 */
import type { BusInfo, BusProcess } from '../../server-agent/agent/protocol.js';
import { useStoreState } from './use-store.js';
import './bus-bar.css';

export function processLabel(process: BusProcess): string {
  return `${process.app} pid ${process.pid}${process.self ? '' : ` @${process.host}`}`;
}

/** The process an event came from (`proc`, absent for the connected one); null without a bus. */
export function procLabel(bus: BusInfo | null, proc: string | undefined): string | null {
  if (!bus || bus.processes.length < 2) return proc ? proc.split(':').slice(0, 2).join(' pid ') : null;
  const found = bus.processes.find((p) => (proc ? p.id === proc : p.self));
  return found ? processLabel(found) : (proc?.split(':').slice(0, 2).join(' pid ') ?? null);
}

export function BusBar() {
  const bus = useStoreState((s) => s.bus);
  if (!bus) return null;
  const self = bus.processes.find((p) => p.self);
  const others = bus.processes.filter((p) => !p.self);
  return (
    <div class="bus-bar" role="status" data-testid="bus-bar">
      <span>
        {bus.processes.length} {bus.processes.length === 1 ? 'process' : 'processes'} on the bus:{' '}
        {bus.processes.map((p) => (
          <span key={p.id} class={`proc${p.self ? ' self' : ''}`} title={p.id}>
            {processLabel(p)}
            {p.clockOffsetSeconds !== 0
              ? ` (clock ${p.clockOffsetSeconds > 0 ? '+' : ''}${p.clockOffsetSeconds}s)`
              : ''}
          </span>
        ))}
      </span>
      {others.length > 0 && self && (
        <span class="muted">
          {' '}
          · the virtual clock moves {processLabel(self)} only; commands act on the shared store
        </span>
      )}
      {(bus.dropped > 0 || bus.ignored > 0) && (
        <span class="bad">
          {' '}
          · dropped {bus.dropped} · ignored {bus.ignored}
        </span>
      )}
    </div>
  );
}
