/** The page frame shared by the storefront, the sandbox and (later) the admin. */
import { html, type Html } from '../html.js';

export interface PageOptions {
  title: string;
  /** Which face of Koppel the page belongs to; sets the header. */
  area: 'shop' | 'sandbox' | 'admin' | 'error';
  /** Extra content for the header bar (e.g. the cart link with the session). */
  headerRight?: Html;
  /** Subtitle under the brand, e.g. "Punchout session for DEMO-BUYER". */
  subtitle?: string;
}

const AREA_NAME: Record<PageOptions['area'], string> = {
  shop: 'Koppel shop',
  sandbox: 'Koppel buyer sandbox',
  admin: 'Koppel admin',
  error: 'Koppel',
};

export function page(options: PageOptions, body: Html): Html {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${options.title} · ${AREA_NAME[options.area]}</title>
<link rel="stylesheet" href="/assets/koppel.css">
</head>
<body class="area-${options.area}">
<header class="topbar">
  <div class="brand"><span class="logo" aria-hidden="true">⧉</span> ${AREA_NAME[options.area]}${options.subtitle ? html`<span class="subtitle">${options.subtitle}</span>` : ''}</div>
  <div class="topbar-right">${options.headerRight ?? ''}</div>
</header>
<main>
${body}
</main>
</body>
</html>`;
}

/** A page telling a person what went wrong and what to do next. */
export function errorPage(title: string, message: string, whatToDo: string): Html {
  return page(
    { title, area: 'error' },
    html`<section class="notice error" role="alert">
  <h1>${title}</h1>
  <p>${message}</p>
  <p class="todo">${whatToDo}</p>
</section>`,
  );
}
