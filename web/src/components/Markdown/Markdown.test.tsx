// @vitest-environment jsdom
import { render } from '@testing-library/react';
import { describe, expect, test } from 'vitest';
import '../../test/render';
import { Markdown, renderMarkdown } from './Markdown';

describe('README Markdown', () => {
  test('renders Markdown', () => {
    const { container } = render(<Markdown source={'# Title\n\nSome **bold** and a [link](https://example.com).\n\n| a | b |\n|---|---|\n| 1 | 2 |'} />);
    expect(container.querySelector('h1')?.textContent).toBe('Title');
    expect(container.querySelector('strong')?.textContent).toBe('bold');
    expect(container.querySelector('table')).not.toBeNull();
    const link = container.querySelector('a')!;
    expect(link.getAttribute('href')).toBe('https://example.com');
    expect(link.getAttribute('rel')).toBe('noopener noreferrer');
  });

  test('removes scripts, event handlers and javascript: URLs', () => {
    const html = renderMarkdown(
      '<script>alert(1)</script>\n\n<img src=x onerror=alert(2)>\n\n[click](javascript:alert(3))\n\n<a href="javascript:alert(4)">x</a>\n\n<iframe src="https://evil"></iframe>',
    );
    expect(html).not.toMatch(/<script|onerror|javascript:|<iframe/i);
  });

  test('keeps the author from styling or placing anything on the page', () => {
    const overlay = '<a href="https://phish.example" style="position:fixed;inset:0;z-index:9999" class="fixed inset-0" id="root" name="x">Sign in again</a>';
    const html = renderMarkdown(`Read this: ${overlay}\n\n<style>body{display:none}</style>\n\n<div style="color:red" class="hidden">text</div>`);
    const doc = new DOMParser().parseFromString(html, 'text/html');
    const link = doc.querySelector('a')!;
    expect(link.textContent).toBe('Sign in again');
    expect(link.getAttribute('href')).toBe('https://phish.example');
    expect(doc.querySelectorAll('[style], [class], [id], [name], style')).toHaveLength(0);
    expect(doc.querySelector('div')?.textContent).toBe('text');
  });
});
