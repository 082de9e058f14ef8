import DOMPurify from 'dompurify';
import { marked } from 'marked';
import { useMemo } from 'react';

// Links in an item's README open in a new tab without giving it access to this page; code
// blocks and tables, which scroll sideways, can take keyboard focus so they can be scrolled.
DOMPurify.addHook('afterSanitizeAttributes', (node) => {
  if (node.tagName === 'A' && node.getAttribute('href')) {
    node.setAttribute('target', '_blank');
    node.setAttribute('rel', 'noopener noreferrer');
  }
  if (node.tagName === 'PRE' || node.tagName === 'TABLE') node.setAttribute('tabindex', '0');
});

/**
 * Markdown to HTML that is safe to insert: marked renders, DOMPurify removes scripts, handlers
 * and unsafe URLs. Styling is the app's, not the author's: a `style` or `class` let a README
 * link cover the whole page (a phishing overlay), and an `id` can clobber the page's globals.
 */
export function renderMarkdown(source: string): string {
  const html = marked.parse(source, { async: false, gfm: true });
  return DOMPurify.sanitize(html, {
    USE_PROFILES: { html: true },
    FORBID_TAGS: ['style', 'form', 'input', 'button', 'link', 'meta', 'base'],
    FORBID_ATTR: ['style', 'class', 'id', 'name'],
  });
}

/** An item author's README. The only place the app inserts HTML, and only after sanitizing it. */
export function Markdown({ source, className = '' }: { source: string; className?: string }) {
  const html = useMemo(() => renderMarkdown(source), [source]);
  return <div className={`prose-readme ${className}`} dangerouslySetInnerHTML={{ __html: html }} />;
}
