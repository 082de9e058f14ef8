import type { LogLine } from '@shelf/contract';

type FetchPage = (jobId: string, after: number) => Promise<{ items: Pick<LogLine, 'seq' | 'line'>[]; next: number }>;

/**
 * The whole stored log as text, one line per log line, exactly as printed: ANSI colour codes and
 * `::group::` markers are kept (a terminal or `less -R` renders them). Pages through
 * `GET /api/jobs/:id/logs?after=N` until a page comes back empty.
 */
export async function fetchRawLog(jobId: string, fetchPage: FetchPage): Promise<string> {
  const lines: string[] = [];
  let after = 0;
  for (;;) {
    const page = await fetchPage(jobId, after);
    if (!page.items.length || page.next <= after) break;
    for (const item of page.items) lines.push(item.line);
    after = page.next;
  }
  return lines.length ? `${lines.join('\n')}\n` : '';
}

/** `shelf-job-<id>.log`, with anything but letters, digits, `-` and `_` taken out of the id. */
export const rawLogFileName = (jobId: string) => `shelf-job-${jobId.replace(/[^\w-]/g, '')}.log`;

/** Hands `text` to the browser as a file download. */
export function saveTextFile(text: string, fileName: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/plain;charset=utf-8' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
  // Revoked later, not at once: the browser may still be reading the blob for the download.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
