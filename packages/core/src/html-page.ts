/**
 * The product's one page layout: the proxy's own error pages use it, and so do the local run's
 * pages (the development IdP and the Cognito stand-in), so they all look alike. Self-contained:
 * inline CSS only, no external resources, so a strict CSP with a nonce allows it.
 */

const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => ENTITIES[char] as string)
}

export interface HtmlPageOptions {
  title: string
  /** The coloured strip at the top that says whose page this is. */
  banner: string
  /** The banner's background colour, a CSS colour such as `#1f4e79`. */
  colour: string
  /** The page's content: HTML, already escaped. */
  body: string
  /** Put on the inline `<style>` (and a page's own `<script>`), matching its CSP's nonce. */
  nonce?: string
}

const STYLE = `
  body { font: 16px/1.5 system-ui, sans-serif; margin: 0; color: #1b1b1b; }
  .banner { padding: .6rem 1.2rem; color: #fff; font-weight: 600; }
  main { max-width: 46rem; margin: 2rem auto; padding: 0 1.2rem; }
  pre { background: #f4f4f4; padding: 1rem; overflow-x: auto; border-radius: 4px; }
  label { display: block; margin: .8rem 0 .2rem; }
  input { font: inherit; padding: .4rem; width: 16rem; }
  button { font: inherit; padding: .5rem 1.4rem; margin: 1rem .6rem 0 0; cursor: pointer; }
  code { font-size: .9em; }
  .error { color: #a40000; }
  .hint { color: #555; font-size: .9rem; }
  .actions a { margin-right: 1.2rem; }
`

export function htmlPage(options: HtmlPageOptions): string {
  const nonce = options.nonce === undefined ? '' : ` nonce="${escapeHtml(options.nonce)}"`
  // The banner colour is a class rule, not a style attribute: a nonce does not cover attributes.
  const colour = /^#[0-9a-fA-F]{3,8}$/.test(options.colour) ? options.colour : '#333'
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(options.title)}</title>
<style${nonce}>${STYLE}  .banner { background: ${colour}; }
</style>
</head>
<body>
<div class="banner">${escapeHtml(options.banner)}</div>
<main>
${options.body}
</main>
</body>
</html>
`
}
