import { describe, expect, test } from 'vitest';
import { cliCommand, curlCommand, shellQuote } from './runCommands';

const request = { itemId: 'provision-database', version: '1.1.0', inputs: { name: "o'brien", ownerPassword: '<secret: ownerPassword>' } };

describe('run commands', () => {
  test('shellQuote closes, escapes and reopens the quotes around a single quote', () => {
    expect(shellQuote("it's")).toBe(`'it'\\''s'`);
    expect(shellQuote('$HOME `x` "y"')).toBe(`'$HOME \`x\` "y"'`);
  });

  test('curl posts the job with the token and URL from the environment, its body one quoted word', () => {
    expect(curlCommand(request)).toBe(
      `curl -X POST "$SHELF_URL/api/jobs" -H "Authorization: Bearer $SHELF_TOKEN" -H 'content-type: application/json' -d ` +
        `'{"itemId":"provision-database","version":"1.1.0","inputs":{"name":"o'\\''brien","ownerPassword":"<secret: ownerPassword>"}}'`,
    );
  });

  test('the CLI writes inputs.json with a quoted heredoc, then runs item@version from it', () => {
    expect(cliCommand(request)).toBe(
      [`cat > inputs.json <<'EOF'`, '{', `  "name": "o'brien",`, '  "ownerPassword": "<secret: ownerPassword>"', '}', 'EOF', 'shelf run provision-database@1.1.0 -f inputs.json'].join('\n'),
    );
  });

  test('a value with line breaks stays on one line of the heredoc, so it cannot end it', () => {
    expect(cliCommand({ ...request, inputs: { note: 'a\nEOF\nb' } }).split('\n').filter((line) => line === 'EOF')).toHaveLength(1);
  });
});
