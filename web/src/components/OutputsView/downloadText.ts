/** The file a value downloads as: its name made safe, keeping an extension it already has (`main.tf`). */
export function downloadName(name: string, json: boolean): string {
  const safe = name.replace(/[^\w.-]+/g, '_').replace(/^[._]+/, '') || 'output';
  return /\.[A-Za-z0-9]{1,8}$/.test(safe) ? safe : `${safe}${json ? '.json' : '.txt'}`;
}

/** Saves `text` as a file named after the value, built in the browser (nothing is fetched). */
export function downloadText(name: string, text: string, json: boolean): void {
  const url = URL.createObjectURL(new Blob([text], { type: json ? 'application/json' : 'text/plain;charset=utf-8' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = downloadName(name, json);
  document.body.append(link);
  link.click();
  link.remove();
  // Revoked a moment later: some browsers read the blob after click() returns.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
