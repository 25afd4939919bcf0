/**
 * What "clear on navigation" keeps, as DevTools' Network panel does without Preserve log: the
 * navigation's own redirect chain (POST /cart → 303 → GET /) stays, everything before it goes.
 */
import { groupByRequest, type RequestGroup } from './reduce-events.js';
import type { TimelineEntry } from './state.js';

/** A request from the page (not one of the panels' own commands, whose ids start with "a"). */
const fromPage = (group: RequestGroup): boolean =>
  group.requestId !== null && !group.requestId.startsWith('a');

const redirected = (group: RequestGroup): boolean =>
  group.status !== undefined && group.status >= 300 && group.status < 400;

function pathOf(url: string): string | null {
  try {
    return new URL(url).pathname;
  } catch {
    return null;
  }
}

/**
 * The entries to keep when the inspected page navigates to `url`: the document request for `url`
 * when its events already arrived, and the unbroken run of redirects that led to it.
 */
export function navigationChain(timeline: TimelineEntry[], url: string): TimelineEntry[] {
  const groups = groupByRequest(timeline);
  const path = pathOf(url);
  let index = groups.length - 1;
  const previousPageGroup = (from: number): number => {
    let i = from;
    while (i >= 0 && !fromPage(groups[i]!)) i--;
    return i;
  };
  let keepFrom = groups.length;
  index = previousPageGroup(index);
  const last = groups[index];
  if (last && !redirected(last) && last.path === path) {
    keepFrom = index;
    index = previousPageGroup(index - 1);
  }
  while (index >= 0 && redirected(groups[index]!)) {
    keepFrom = index;
    index = previousPageGroup(index - 1);
  }
  const kept = new Set(
    groups
      .slice(keepFrom)
      .filter(fromPage)
      .map((g) => g.key),
  );
  return groups.filter((g) => kept.has(g.key)).flatMap((g) => g.entries);
}
