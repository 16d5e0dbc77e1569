/**
 * The page that carries a cXML cart back through the user's browser: one hidden field
 * (cXML-base64 or cXML-urlencoded), posted to the BrowserFormPost URL exactly as received.
 * The value is HTML-escaped once by the template and never URL-encoded by us.
 */
import { html, type Html } from '../html.js';

export function cxmlReturnPage(form: { action: string; target: string; fieldName: string; fieldValue: string }, cancelled: boolean): Html {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Returning to your purchasing system</title>
<link rel="stylesheet" href="/assets/koppel.css">
</head>
<body class="area-shop">
<main>
<section class="card transfer">
<h1>${cancelled ? 'Returning without items' : 'Sending your cart'}</h1>
<p>${cancelled ? 'Your purchasing system is being told that nothing was added.' : 'Your cart is on its way back to your purchasing system.'} If nothing happens, press the button.</p>
<form id="return-form" method="post" action="${form.action}" target="${form.target}">
<input type="hidden" name="${form.fieldName}" value="${form.fieldValue}">
<button type="submit" class="button">Return to your purchasing system</button>
</form>
</section>
</main>
<script>document.getElementById('return-form').submit();</script>
</body>
</html>`;
}
