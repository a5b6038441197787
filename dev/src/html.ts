/** Tiny HTML helpers shared by the development IdP and the Cognito stand-in pages. */

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

/** A whole page. `banner` is the coloured strip that says which local actor this is. */
export function page(options: {
  title: string
  banner: string
  colour: string
  body: string
}): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(options.title)}</title>
<style>
  body { font: 16px/1.5 system-ui, sans-serif; margin: 0; color: #1b1b1b; }
  .banner { background: ${options.colour}; color: #fff; padding: .6rem 1.2rem; font-weight: 600; }
  main { max-width: 46rem; margin: 2rem auto; padding: 0 1.2rem; }
  pre { background: #f4f4f4; padding: 1rem; overflow-x: auto; border-radius: 4px; }
  label { display: block; margin: .8rem 0 .2rem; }
  input { font: inherit; padding: .4rem; width: 16rem; }
  button { font: inherit; padding: .5rem 1.4rem; margin: 1rem .6rem 0 0; cursor: pointer; }
  .error { color: #a40000; }
  .hint { color: #555; font-size: .9rem; }
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
