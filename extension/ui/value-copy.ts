/**
 * What the full-value viewer copies: the value as text, as JSON, or as a `sessions.open(…)` snippet
 * that recreates it from Node, and the clipboard write itself.
 */
import type { Handle, JsonValue, ValuePath } from '../../server-agent/agent/protocol.js';

/** "Copy": a string as its own text (no quotes, no escapes), anything else as indented JSON. */
export function plainText(value: JsonValue): string {
  return typeof value === 'string' ? value : JSON.stringify(value, null, 2);
}

/** "Copy as JSON": always JSON (a string comes back quoted and escaped, ready for JSON.parse). */
export function jsonText(value: JsonValue): string {
  return JSON.stringify(value, null, 2);
}

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/** `cart.items[3]` / `cart["two words"]`: how the snippet reaches a nested path from its top key. */
function accessor(root: string, steps: ValuePath): string {
  return steps.reduce<string>(
    (expr, step) =>
      typeof step === 'number'
        ? `${expr}[${step}]`
        : IDENTIFIER.test(step)
          ? `${expr}.${step}`
          : `${expr}[${JSON.stringify(step)}]`,
    root,
  );
}

/**
 * A snippet for Node that writes this value into a session with the public API. It names the
 * session by its handle only: the raw key never goes into a copy (clipboards end up in chats and
 * issues). The key comes from SESSION_KEY (the cookie's value, which the developer has), else from
 * the app's own process, the one place a handle resolves (`sessions.handles.keyFor`), else the
 * snippet makes a new session, whose key it prints.
 */
export function openSnippet(options: {
  handle: Handle;
  cookieName: string;
  path: ValuePath;
  value: JsonValue;
}): string {
  const { handle, cookieName, path, value } = options;
  const [top, ...steps] = path;
  const key = String(top);
  const literal = JSON.stringify(value, null, 2);
  const where = path.map((step) => JSON.stringify(step)).join(' › ');
  const lines = [
    `// sessionscope: ${where} of session ${handle} (a handle; the session key is never copied).`,
    `// Run where \`sessions\` is your createSessions(…) result. The key: SESSION_KEY (the "${cookieName}" cookie's value),`,
    '// else the handle resolved inside the app process that issued it, else a new session.',
    `const s = sessions.open(process.env.SESSION_KEY ?? sessions.handles.keyFor(${JSON.stringify(handle)}));`,
  ];
  if (steps.length === 0) {
    lines.push(`await s.set(${JSON.stringify(key)}, ${literal});`);
  } else {
    lines.push(
      `const value = await s.get(${JSON.stringify(key)});`,
      `${accessor('value', steps)} = ${literal};`,
      `await s.set(${JSON.stringify(key)}, value);`,
    );
  }
  lines.push('await s.save();', 'console.log(s.sessionKey);');
  return `${lines.join('\n')}\n`;
}

/**
 * Writes text to the clipboard. A DevTools panel is an iframe of DevTools, where the async Clipboard
 * API can be refused by permissions policy; the old execCommand path works there from a click.
 */
export async function copyText(text: string, host: HTMLElement = document.body): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    const area = document.createElement('textarea');
    area.value = text;
    area.setAttribute('readonly', '');
    area.style.position = 'fixed';
    area.style.opacity = '0';
    host.appendChild(area);
    const focused = document.activeElement as HTMLElement | null;
    area.select();
    let ok = false;
    try {
      ok = document.execCommand('copy');
    } catch {
      ok = false;
    }
    area.remove();
    focused?.focus();
    return ok;
  }
}
