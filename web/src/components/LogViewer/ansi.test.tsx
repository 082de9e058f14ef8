// @vitest-environment jsdom
import { render } from '@testing-library/react';
import { describe, expect, test } from 'vitest';
import '../../test/render';
import { AnsiText, ansiSegments } from './ansi';

describe('ANSI log lines', () => {
  test('turn colour codes into styled text segments', () => {
    const segments = ansiSegments('\u001b[31mred\u001b[0m plain \u001b[1;4mbold\u001b[0m');
    expect(segments.map((s) => s.text)).toEqual(['red', ' plain ', 'bold']);
    expect(segments[0]!.style?.color).toBe('rgb(248, 113, 113)');
    expect(segments[1]!.style).toBeUndefined();
    expect(segments[2]!.style).toMatchObject({ fontWeight: 700, textDecoration: 'underline' });
  });

  test('leave a line without escapes untouched', () => {
    expect(ansiSegments('<b>hi</b>')).toEqual([{ text: '<b>hi</b>' }]);
  });

  test('never inject HTML, coloured or not', () => {
    const evil = '<img src=x onerror="window.pwned=1"><script>window.pwned=2</script>';
    const { container } = render(
      <div>
        <AnsiText text={evil} />
        <AnsiText text={`\u001b[32m${evil}\u001b[0m`} />
        <AnsiText text={`\u001b]8;;javascript:alert(1)\u0007link\u001b]8;;\u0007 <a href="javascript:alert(1)">x</a>`} />
      </div>,
    );
    expect(container.querySelector('img, script, a')).toBeNull();
    expect(container.textContent).toContain('<img src=x onerror="window.pwned=1">');
    expect((window as { pwned?: number }).pwned).toBeUndefined();
  });
});
