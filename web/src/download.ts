/** Saves what the page made as a file (a CSV as the CLI writes it, a ladder's SVG, PNG or Mermaid). */
export function downloadBlob(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  // The browser has read the blob once the click's download started; a few seconds is plenty.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export function downloadText(name: string, text: string, type = 'text/csv;charset=utf-8'): void {
  downloadBlob(new Blob([text], { type }), name);
}
