/**
 * The server-side Set-Cookie grammar of RFC 6265bis §4.1.1, as a checker: returns the problem, or
 * null when the header conforms. Also the browser limits of §5.6/§5.7: name+value ≤ 4096 octets,
 * each attribute value ≤ 1024 octets, and no attribute written twice.
 */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const COOKIE_VALUE =
  /^(?:[\x21\x23-\x2b\x2d-\x3a\x3c-\x5b\x5d-\x7e]*|"[\x21\x23-\x2b\x2d-\x3a\x3c-\x5b\x5d-\x7e]*")$/;
const IMF_FIXDATE =
  /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} GMT$/;
const MAX_AGE = /^(0|[1-9]\d*)$/;
const DOMAIN = /^\.?[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$/;
const PATH = /^[\x20-\x3a\x3c-\x7e]*$/;
const SAMESITE = /^(Strict|Lax|None)$/;

export function setCookieProblem(header: string): string | null {
  const parts = header.split('; ');
  const pair = parts.shift() ?? '';
  const eq = pair.indexOf('=');
  if (eq <= 0) return `no cookie-name in ${JSON.stringify(pair.slice(0, 40))}`;
  const name = pair.slice(0, eq);
  const value = pair.slice(eq + 1);
  if (!TOKEN.test(name)) return `cookie-name ${JSON.stringify(name)} is not a token`;
  if (!COOKIE_VALUE.test(value)) return 'cookie-value holds a character outside cookie-octet';
  if (Buffer.byteLength(name) + Buffer.byteLength(value) > 4096) return 'name+value over 4096 octets';
  const seen = new Set<string>();
  for (const av of parts) {
    const at = av.indexOf('=');
    const attribute = at < 0 ? av : av.slice(0, at);
    const attributeValue = at < 0 ? null : av.slice(at + 1);
    const lower = attribute.toLowerCase();
    if (seen.has(lower)) return `attribute ${attribute} written twice`;
    seen.add(lower);
    if (attributeValue !== null && Buffer.byteLength(attributeValue) > 1024)
      return `attribute ${attribute} value over 1024 octets`;
    const ok = (() => {
      switch (attribute) {
        case 'Expires':
          return attributeValue !== null && IMF_FIXDATE.test(attributeValue);
        case 'Max-Age':
          return attributeValue !== null && MAX_AGE.test(attributeValue);
        case 'Domain':
          return attributeValue !== null && DOMAIN.test(attributeValue);
        case 'Path':
          return attributeValue !== null && attributeValue.startsWith('/') && PATH.test(attributeValue);
        case 'SameSite':
          return attributeValue !== null && SAMESITE.test(attributeValue);
        case 'Secure':
        case 'HttpOnly':
        case 'Partitioned':
          return attributeValue === null;
        default:
          return false;
      }
    })();
    if (!ok) return `bad attribute ${JSON.stringify(av.slice(0, 60))}`;
  }
  if (seen.has('samesite') && header.includes('SameSite=None') && !seen.has('secure'))
    return 'SameSite=None without Secure';
  const lowerName = name.toLowerCase();
  if ((lowerName.startsWith('__secure-') || lowerName.startsWith('__host-')) && !seen.has('secure'))
    return 'prefixed cookie without Secure';
  if (
    lowerName.startsWith('__host-') &&
    (seen.has('domain') || !header.includes('; Path=/') || /; Path=\/[^;]/.test(header))
  )
    return '__Host- cookie with Domain or Path other than /';
  return null;
}
