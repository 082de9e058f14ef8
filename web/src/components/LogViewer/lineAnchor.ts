/** Lines a URL fragment points at: `#L42` is one line, `#L10-L20` a range (line numbers are seqs). */
export interface LineRange {
  from: number;
  to: number;
}

const anchorPattern = /^#L(\d{1,9})(?:-L?(\d{1,9}))?$/;

/** The lines `#L42` or `#L10-L20` name (a backwards range is turned round); null for any other fragment. */
export function parseLineAnchor(hash: string): LineRange | null {
  const m = anchorPattern.exec(hash);
  if (!m) return null;
  const a = Number(m[1]);
  const b = m[2] === undefined ? a : Number(m[2]);
  if (a < 1 || b < 1) return null;
  return { from: Math.min(a, b), to: Math.max(a, b) };
}

export function formatLineAnchor({ from, to }: LineRange): string {
  return from === to ? `#L${from}` : `#L${from}-L${to}`;
}
