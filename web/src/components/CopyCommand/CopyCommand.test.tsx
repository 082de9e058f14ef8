// @vitest-environment jsdom
import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, test, vi } from 'vitest';
import '../../test/render';
import { CopyCommand } from './CopyCommand';

const request = () => ({ itemId: 'db', version: '1.0.0', inputs: { name: "o'neil", password: '<secret: password>' } });
const curl = `curl -X POST "$SHELF_URL/api/jobs" -H "Authorization: Bearer $SHELF_TOKEN" -H 'content-type: application/json' -d '{"itemId":"db","version":"1.0.0","inputs":{"name":"o'\\''neil","password":"<secret: password>"}}'`;

function withClipboard(clipboard: Partial<Clipboard> | undefined) {
  Object.defineProperty(navigator, 'clipboard', { value: clipboard, configurable: true });
}
afterEach(() => withClipboard(undefined));

describe('CopyCommand', () => {
  test('copies the curl command and the CLI commands, and says so', async () => {
    const user = userEvent.setup();
    const writeText = vi.fn(async (_text: string) => undefined);
    render(<CopyCommand request={request} />);
    withClipboard({ writeText });

    await user.click(screen.getByRole('button', { name: 'Copy as curl' }));
    expect(writeText).toHaveBeenLastCalledWith(curl);
    expect(screen.getByRole('status').textContent).toBe('Copied the curl command. Replace its <secret: …> placeholders before running it.');

    await user.click(screen.getByRole('button', { name: 'Copy as CLI command' }));
    expect(writeText.mock.lastCall?.[0]).toMatch(/^cat > inputs.json <<'EOF'\n\{\n {2}"name": "o'neil",[\s\S]*\nEOF\nshelf run db@1.0.0 -f inputs.json$/);
    expect(screen.getByRole('status').textContent).toMatch(/^Copied the CLI commands\./);
    expect(screen.queryByRole('textbox')).toBeNull();
  });

  test.each([
    ['there is no clipboard (plain HTTP)', undefined],
    ['the browser refuses it', { writeText: () => Promise.reject(new DOMException('denied', 'NotAllowedError')) }],
  ])('shows the command selected in a read-only box when %s', async (_case, clipboard) => {
    const user = userEvent.setup();
    render(<CopyCommand request={request} />);
    withClipboard(clipboard);
    await user.click(screen.getByRole('button', { name: 'Copy as curl' }));
    const box = await screen.findByRole<HTMLTextAreaElement>('textbox', { name: /The curl command: the clipboard is not available here/ });
    expect(box.value).toBe(curl);
    expect(box.readOnly).toBe(true);
    expect(document.activeElement).toBe(box);
    expect([box.selectionStart, box.selectionEnd]).toEqual([0, curl.length]);
    expect(screen.getByRole('status').textContent).toBe('');
  });
});
