/**
 * How many requests on unfollowed sessions become a `request.summary`: a token bucket that holds
 * one second's worth (`perSecond` tokens) and refills at `perSecond`. A quiet app's bursts (a page
 * and its twenty fetches) are all summarized; a sustained load is summarized at `perSecond` and
 * the rest runs unobserved (SessionEvents.observes says no: it costs the app what it costs with
 * no client) and is only counted. Each window of `windowMs` that skipped any reports its count
 * once, when it ends.
 *
 * Why: an observed request costs the app tens of µs under HTTP load (its six events, the request
 * id, the router, the conflict tracker, the summary's JSON, the frame), and a panel cannot show
 * thousands of rows a second; under load, the summaries were the streaming agent's whole cost
 * (docs/benchmarks.md, Agent). Why a bucket and not a fixed budget per 50 ms window: a window's
 * budget is what the sustained rate allows in 50 ms, so a lower rate (cheaper under load) cut a
 * quiet app's burst short; the bucket lets the rate be low without that. Requests on a followed
 * session are never skipped.
 */
export class SummaryBudget {
  private readonly capacity: number;
  private readonly perMs: number;
  private tokens: number;
  private refilledAt = performance.now();
  private skipped = 0;
  private skippedSince = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    perSecond: number,
    private readonly windowMs: number,
    /** The session clock's now (ms), for the report's `since`/`at`. */
    private readonly nowMs: () => number,
    private readonly report: (count: number, since: number) => void,
  ) {
    // A positive rate always admits at least one at a time; 0 (or less) admits none.
    this.capacity = perSecond > 0 ? Math.max(1, perSecond) : 0;
    this.perMs = perSecond > 0 ? perSecond / 1000 : 0;
    this.tokens = this.capacity;
  }

  /** One request on a session nobody follows: true to summarize it, false to skip (and count) it. */
  take(): boolean {
    const now = performance.now();
    this.tokens = Math.min(this.capacity, this.tokens + (now - this.refilledAt) * this.perMs);
    this.refilledAt = now;
    if (this.tokens >= 1) {
      this.tokens--;
      return true;
    }
    if (this.skipped++ === 0) {
      this.skippedSince = this.nowMs();
      this.timer = setTimeout(this.flush, this.windowMs);
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
