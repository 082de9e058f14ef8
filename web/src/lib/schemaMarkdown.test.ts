// @vitest-environment jsdom
import { describe, expect, test } from 'vitest';
import { renderMarkdown } from './schemaMarkdown';

describe('renderMarkdown (for codemirror-json-schema, without shiki)', () => {
  test('renders inline by default and as blocks when asked', () => {
    expect(renderMarkdown('The **owner** of `db`')).toBe('The <strong>owner</strong> of <code>db</code>');
    expect(renderMarkdown('# Title\n\ntext', false)).toBe('<h1>Title</h1>\n<p>text</p>\n');
  });

  test("keeps an item author's HTML and script links as text", () => {
    const html = renderMarkdown('<img src=x onerror=alert(1)> [x](javascript:alert(2))');
    expect(html).not.toContain('<img');
    expect(html).not.toContain('href="javascript:');
  });
});
