// Saving what the dashboard shows: CSV text and a chart's SVG rendered to a PNG (drawn on a
// canvas through an <img>, so no library and nothing leaves the machine).

/** Triggers a download of `blob` as `filename` (works in Electron and in the browser). */
export function downloadBlob(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  a.rel = 'noopener';
  document.body.appendChild(a);
  a.click();
  a.remove();
  // The download has started by the next task; keep the URL a little longer for slow handlers.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** "vllm-metrics-2025-01-31T12-00-00" (no characters file systems dislike). */
export function exportName(prefix: string, t = Date.now()): string {
  return `${prefix}-${new Date(t).toISOString().slice(0, 19).replace(/[:]/g, '-')}`;
}

/**
 * Renders an SVG element to a PNG blob at `scale`× its on-screen size, on `background` (the SVG
 * itself is transparent). Colours must be concrete in the SVG: CSS variables do not resolve once
 * the markup is an image.
 */
export async function svgToPng(svg: SVGSVGElement, background: string, scale = 2): Promise<Blob> {
  const box = svg.getBoundingClientRect();
  const width = Math.max(1, Math.round(box.width));
  const height = Math.max(1, Math.round(box.height));
  const clone = svg.cloneNode(true) as SVGSVGElement;
  clone.setAttribute('xmlns', 'http://www.w3.org/2000/svg');
  clone.setAttribute('width', String(width));
  clone.setAttribute('height', String(height));
  // Text inherits the page font on screen; in an image it must be named.
  clone.setAttribute('font-family', getComputedStyle(svg).fontFamily || 'sans-serif');
  const xml = new XMLSerializer().serializeToString(clone);
  const img = new Image();
  img.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(xml)}`;
  await img.decode();
  const canvas = document.createElement('canvas');
  canvas.width = width * scale;
  canvas.height = height * scale;
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new Error('no 2D canvas');
  ctx.fillStyle = background;
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  ctx.drawImage(img, 0, 0, canvas.width, canvas.height);
  return new Promise((resolve, reject) => canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('PNG encoding failed'))), 'image/png'));
}
