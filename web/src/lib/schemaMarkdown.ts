import DOMPurify from 'dompurify';
import MarkdownIt from 'markdown-it';

// codemirror-json-schema renders schema descriptions and messages in its hovers, completions and
// lint tooltips with this module instead of its own utils/markdown (vite.config.ts redirects the
// import): that one loads shiki, whose WebAssembly the page's CSP (no 'wasm-unsafe-eval') refuses.
// Descriptions come from item authors, so raw HTML stays text and the result is sanitized anyway.
const renderer = new MarkdownIt({ html: false, linkify: true, typographer: true });

/** The same signature as codemirror-json-schema's `renderMarkdown`. */
export function renderMarkdown(markdown: string, inline = true): string {
  const html = inline ? renderer.renderInline(markdown) : renderer.render(markdown);
  return DOMPurify.sanitize(html, {
    USE_PROFILES: { html: true },
    FORBID_TAGS: ['style', 'form', 'input', 'button', 'link', 'meta', 'base', 'img'],
    FORBID_ATTR: ['style', 'class', 'id', 'name'],
  });
}
