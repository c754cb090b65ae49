// Progress bars in tqdm's exact text (vllm-runtime.md §1, vllm-logs 01/02/07/10).
//
// How the bytes look on the wire, reconstructed from two captures of the same bars (a pipe read by a
// GUI that splits on `\r` and `\n` — vllm-logs 01 — and a terminal copy where `\r` overwrote the
// prefix — vllm-logs 07):
// * weight loading: every update is `PREFIX \rLoading safetensors … | 1/2 [00:08<00:08,  8.96s/it]\n`,
//   and closing the bar writes `PREFIX \n` (the lone prefix line before "Loading weights took").
// * CUDA graph capture: one `PREFIX ` then `\r<bar>` per update without newlines, `\n` on close.

/** tqdm's `format_interval`: `MM:SS`, or `H:MM:SS` past an hour. */
export function formatInterval(seconds: number): string {
  const t = Math.max(0, Math.floor(seconds));
  const h = Math.floor(t / 3600);
  const m = Math.floor((t % 3600) / 60);
  const s = t % 60;
  const p = (n: number) => (n < 10 ? `0${n}` : String(n));
  return h > 0 ? `${h}:${p(m)}:${p(s)}` : `${p(m)}:${p(s)}`;
}

/** Python's `format(x, '.0f')` rounds half to even (12.5 → 12). */
function roundHalfEven(x: number): number {
  const f = Math.floor(x);
  const d = x - f;
  if (Math.abs(d - 0.5) < 1e-9) return f % 2 === 0 ? f : f + 1;
  return Math.round(x);
}

function pct(n: number, total: number): string {
  return `${String(roundHalfEven((total === 0 ? 1 : n / total) * 100)).padStart(3)}%`;
}

/** `[elapsed<remaining, rate]` with tqdm's `{rate:5.2f}it/s` or `s/it` below 1 it/s. */
function timing(n: number, total: number, elapsedS: number): string {
  if (n === 0 || elapsedS <= 0) return `[${formatInterval(elapsedS)}<?, ?it/s]`;
  const rate = n / elapsedS;
  const remaining = (total - n) / rate;
  const rateText = rate >= 1 ? `${rate.toFixed(2).padStart(5)}it/s` : `${(1 / rate).toFixed(2).padStart(5)}s/it`;
  return `[${formatInterval(elapsedS)}<${formatInterval(remaining)}, ${rateText}]`;
}

/** vLLM's safetensors bar_format: `{desc}: {percentage:3.0f}% Completed | {n_fmt}/{total_fmt} [{elapsed}<{remaining}, {rate_fmt}]`. */
export function loadingBar(n: number, total: number, elapsedS: number): string {
  return `Loading safetensors checkpoint shards: ${pct(n, total)} Completed | ${n}/${total} ${timing(n, total, elapsedS)}`;
}

// tqdm's UTF bar: ' ' then U+258F … U+2588 (1/8 … 8/8 blocks), 10 columns wide.
const CHARSET = [' ', '▏', '▎', '▍', '▌', '▋', '▊', '▉', '█'];
const N_BARS = 10;

export function barGlyphs(frac: number): string {
  const nsyms = CHARSET.length - 1;
  const units = Math.floor(Math.min(1, Math.max(0, frac)) * N_BARS * nsyms);
  const full = Math.floor(units / nsyms);
  const part = units % nsyms;
  let s = CHARSET[nsyms]!.repeat(full);
  if (full < N_BARS) s += CHARSET[part]! + ' '.repeat(N_BARS - full - 1);
  return s;
}

/** Default tqdm layout: `{desc}: {percentage:3.0f}%|{bar}| {n_fmt}/{total_fmt} [{elapsed}<{remaining}, {rate_fmt}]`. */
export function standardBar(desc: string, n: number, total: number, elapsedS: number): string {
  return `${desc}: ${pct(n, total)}|${barGlyphs(total === 0 ? 1 : n / total)}| ${n}/${total} ${timing(n, total, elapsedS)}`;
}
