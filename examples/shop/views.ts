/** HTML for the shop's pages: plain template strings, every value escaped. */

export const PRODUCTS: Record<string, { name: string; cents: number }> = {
  tea: { name: 'Green tea', cents: 450 },
  mug: { name: 'Enamel mug', cents: 1200 },
  spoon: { name: 'Tea spoon', cents: 300 },
};

export function escapeHtml(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const money = (cents: number) => `€${(cents / 100).toFixed(2)}`;

export function layout(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>body{font:15px system-ui;max-width:42rem;margin:2rem auto}form{display:inline}section{margin:1rem 0;padding:.5rem 1rem;border:1px solid #ddd;border-radius:6px}</style>
</head><body><h1>sessionscope shop</h1>${body}</body></html>`;
}

export interface HomeView {
  user: string | null;
  cart: Record<string, number>;
  remembered: boolean;
  expiry: string;
  engine: string;
  notice?: string;
}

export function homePage(view: HomeView): string {
  const lines = Object.entries(view.cart).map(([id, count]) => {
    const product = PRODUCTS[id];
    return product ? `<li>${count} × ${escapeHtml(product.name)} (${money(product.cents * count)})</li>` : '';
  });
  const products = Object.entries(PRODUCTS)
    .map(
      ([id, p]) =>
        `<li>${escapeHtml(p.name)} ${money(p.cents)} <form method="post" action="/cart"><input type="hidden" name="item" value="${id}"><button>Add</button></form></li>`,
    )
    .join('');
  const account = view.user
    ? `<p>Signed in as <strong id="user">${escapeHtml(view.user)}</strong>.
<form method="post" action="/remember"><input type="hidden" name="remember" value="${view.remembered ? 'no' : 'yes'}"><button>${view.remembered ? 'Forget me on browser close' : 'Remember me for 30 days'}</button></form>
<form method="post" action="/logout"><button>Log out</button></form></p>`
    : '<p>Browsing anonymously: no session exists until you add to the cart or <a href="/login">Log in</a>.</p>';
  return layout(
    'Shop',
    `${view.notice ? `<p role="status">${escapeHtml(view.notice)}</p>` : ''}
<section><h2>Account</h2>${account}</section>
<section><h2>Products</h2><ul>${products}</ul></section>
<section><h2>Cart</h2><ul id="cart">${lines.join('') || '<li>empty</li>'}</ul></section>
<section><h2>Your session</h2><p>Engine: <code>${escapeHtml(view.engine)}</code>. Expires: <strong id="expiry">${escapeHtml(view.expiry)}</strong>.</p>
<p><a href="/stream">A streamed page</a></p></section>`,
  );
}

/** The login form; its GET has just set Django's test cookie, which the POST checks. */
export function loginPage(): string {
  return layout(
    'Log in',
    `<section><h2>Log in</h2><form method="post" action="/login"><input name="username" placeholder="name" required autofocus> <button>Log in</button></form>
<p>Logging in checks that your browser keeps cookies, then gives you a new session key (no session fixation).</p></section>`,
  );
}
