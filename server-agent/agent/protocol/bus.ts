/** The agent bus as clients see it: the processes whose events share this timeline, and the counters. */

export interface BusProcess {
  /** The value of `proc` on this process's events (absent on the connected agent's own events). */
  id: string;
  host: string;
  pid: number;
  app: string;
  /** Inspector clients connected to that process's agent. */
  clients: number;
  /** Each process has its own virtual clock: travel moves only the process the panel is connected to. */
  clockOffsetSeconds: number;
  /** The process this client is connected to. */
  self: boolean;
}

export interface BusInfo {
  /** Where the bus runs (server without password, channel name). */
  channel: string;
  processes: BusProcess[];
  /** Events this process could not publish because the bus was slow or down. */
  dropped: number;
  /** Messages ignored: another deployment's, or of a bad shape. */
  ignored: number;
  /** Events received from other processes. */
  received: number;
}
