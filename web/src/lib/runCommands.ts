type Inputs = Record<string, unknown>;

/** What a command runs: the item's version (a concrete one: the command should run what the page shows) and its inputs. */
export interface RunRequest {
  itemId: string;
  version: string;
  inputs: Inputs;
}

/** `s` as one POSIX shell word in single quotes: a `'` inside closes the quotes, adds an escaped one and reopens them. */
export const shellQuote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

/** An item id or version as a shell word: bare when it is plainly safe, quoted otherwise. */
const word = (s: string): string => (/^[A-Za-z0-9._@+-]+$/.test(s) ? s : shellQuote(s));

/** `POST /api/jobs` with curl, reading the server and a token from $SHELF_URL and $SHELF_TOKEN. */
export function curlCommand({ itemId, version, inputs }: RunRequest): string {
  const body = JSON.stringify({ itemId, version, inputs });
  return `curl -X POST "$SHELF_URL/api/jobs" -H "Authorization: Bearer $SHELF_TOKEN" -H 'content-type: application/json' -d ${shellQuote(body)}`;
}

/**
 * The CLI's way: the inputs written to inputs.json by a quoted heredoc (the shell expands nothing
 * in it), then `shelf run`. JSON keeps every line break of a value escaped, so no line of it can
 * be the lone `EOF` that would end the heredoc early.
 */
export function cliCommand({ itemId, version, inputs }: RunRequest): string {
  return [`cat > inputs.json <<'EOF'`, JSON.stringify(inputs, null, 2), 'EOF', `shelf run ${word(`${itemId}@${version}`)} -f inputs.json`].join('\n');
}
