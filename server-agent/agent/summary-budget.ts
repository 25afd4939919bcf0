/**
 * How many requests on unfollowed sessions become a `request.summary`: at most `perSecond`, spent
 * per SUMMARY_DELAY_MS window (the batch a panel receives at once). Past that, the request runs
 * unobserved (SessionEvents.observes says no: it costs the app what it costs with no client) and
 * is only counted; each window that skipped any reports its count once, when it ends.
 *
 * Why: an observed request costs the app several µs in process and tens under HTTP load (its six
 * events, the request id, the router, the conflict tracker, the summary's JSON, the frame), and a
 * panel cannot show 10,000 rows a second; under load, the summaries were the streaming agent's
 * whole cost (docs/benchmarks.md, Agent). Requests on a followed session are never skipped.
 */
export class SummaryBudget {
  private windowStart = Number.NEGATIVE_INFINITY;
  private used = 0;
  private skipped = 0;
  private skippedSince = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly perWindow: number;

  constructor(
    perSecond: number,
    private readonly windowMs: number,
    /** The session clock's now (ms), for the report's `since`/`at`. */
    private readonly nowMs: () => number,
    private readonly report: (count: number, since: number) => void,
  ) {
    // A positive budget always admits at least one a window; 0 (or less) admits none.
    this.perWindow = perSecond > 0 ? Math.max(1, Math.round((perSecond * windowMs) / 1000)) : 0;
  }

  /** One request on a session nobody follows: true to summarize it, false to skip (and count) it. */
  take(): boolean {
    const now = performance.now();
    if (now - this.windowStart >= this.windowMs) {
      this.windowStart = now;
      this.used = 0;
    }
    if (this.used < this.perWindow) {
      this.used++;
      return true;
    }
    if (this.skipped++ === 0) {
      this.skippedSince = this.nowMs();
      this.timer = setTimeout(this.flush, Math.max(1, this.windowStart + this.windowMs - now));
      this.timer.unref();
    }
    return false;
  }

  /** Reports what was skipped (the window ended, or the hub stops listening). */
  readonly flush = (): void => {
    clearTimeout(this.timer);
    this.timer = undefined;
    const count = this.skipped;
    this.skipped = 0;
    if (count > 0) this.report(count, this.skippedSince);
  };
}
