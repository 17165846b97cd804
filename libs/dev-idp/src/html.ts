/** The provider's pages: plain, accessible HTML in German (the platform's language), no scripts. */

export function escapeHtml(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

const STYLE = `
  body { font-family: system-ui, sans-serif; margin: 0; background: #f4f5f7; color: #1d1d1f; }
  main { max-width: 26rem; margin: 3rem auto; padding: 2rem; background: #fff; border-radius: 0.5rem; }
  h1 { font-size: 1.5rem; margin-top: 0; }
  label { display: block; margin-top: 1rem; font-weight: 600; }
  input { display: block; width: 100%; box-sizing: border-box; margin-top: 0.25rem; padding: 0.5rem; font-size: 1rem; }
  button { margin-top: 1.5rem; padding: 0.6rem 1.2rem; font-size: 1rem; background: #1b5e20; color: #fff; border: 0; border-radius: 0.25rem; }
  :focus-visible { outline: 3px solid #0b57d0; outline-offset: 2px; }
  .error { color: #8b0000; background: #fdecea; padding: 0.5rem 0.75rem; border-radius: 0.25rem; }
  .hint { color: #555; font-size: 0.9rem; }
`;

/** A whole page; `body` is trusted HTML (escape what goes into it). */
export function page(title: string, body: string): string {
  return `<!DOCTYPE html>
<html lang="de">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
<h1>${escapeHtml(title)}</h1>
${body}
</main>
</body>
</html>
`;
}

/** An error line that screen readers announce at once. */
export function errorMessage(message: string | undefined): string {
  return message ? `<p id="input-error" class="error" role="alert">${escapeHtml(message)}</p>` : '';
}
