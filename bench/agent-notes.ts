/** The Agent section's fixed text (what the figures of bench/agent.ts mean, and earlier runs), kept apart from the bench. */
export const AGENT_NOTES = `With no client connected the agent does not listen to session events at all (\`events.active\` stays false),
so the "attached" row differs from "no agent" only by the request listener that routes \`/__sessionscope/\`
(a prefix test on the URL). With a client, each request emits six events (about 1.3 KB of JSON whole). Protocol 2
(\`server-agent/agent/request-router.ts\`) decides per request, at its first event that names a session, whether anyone
watches that session: if not, the events are never turned into wire events (no previews, no redaction), their values
are not copied, the save is a plain save (no compare-and-swap, no loaded-value baseline: \`events.detail()\`), and
they only feed a summary of about 250 bytes. \`BENCH_CPU_PROF=dir\` profiles the app process over each measured
window (\`dir/<mode>-<requests>req-<pid>.cpuprofile\`, so two modes compare per request).

**Why "summaries" cost about as much as "everything" in commit 57bb2ce's table.** That run never reused a
session: autocannon resets a connection's context each time it wraps around its list of requests, and the list
had one entry, so no request carried the cookie (a counter in the app: 0 of 346 requests). Every request made a
new key, inserted a row, HMAC'd a new handle and held its events until the save named the session: costs every
mode with a client shares, and larger than what separates summaries from everything. The bench now repeats the
request 10,000 times in the list (one new session per connection and cell). What remains common to both modes is
the session code building and dispatching six events per request: in-process (\`bench/agent-cost.ts\`, mode
\`bare\`: a listener that does nothing) that alone was +25 µs of the summary mode's +46 µs/request (load 13).
The agent's own part, alone (\`bench/agent-listener.ts\`: the six events into the hub, a client that reads
nothing), was 14.7 µs/request for summaries and 55 µs for everything before the work below.

**Agent-cost work (2026-12-02).** Summaries are written field by field
(\`summary-json.ts\`, not JSON.stringify of \`{ seq, event }\`) and the replay ring keeps only their text; the
lost-update tracker keeps a save only while another request on that session is in flight (with one request at a time
per session nothing outlives its request); handles come from prepared HMAC pads. A/B in one process
(\`BENCH_BASE=<checkout of feed4ff> npx tsx bench/agent-listener.ts\`, 9 interleaved rounds, medians of the agent's
µs/request): summaries 14.7 → 13.2 µs, everything 55.1 → 31.3 µs. An HTTP run of this bench beside the
same bench on feed4ff's agent (3 rounds each, both at once, load 13–23: every request cost ~6× its quiet-machine CPU,
so it cannot resolve 5 %; the table above is a later run on a quiet machine): one client on summaries +1,237 → +642 µs/request over no agent, everything +563 → +653;
mutation-to-client p99 22.2 → 1.4 ms. The goal (≤ 5 % while one client streams) is not met: the events the session
code builds for a request nobody watches cost more than 5 % by themselves.

Protocol 1 (every client got every event whole, commit 110a0f2, this bench, 5 rounds × 3 s): one streaming client
0.824× req/s, server +21.6 µs CPU/req (101.9 → 123.5), client 16.8 µs/req.`;
