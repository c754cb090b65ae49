// Reads one streamed OpenAI-compatible response (Server-Sent Events) and keeps only what the
// benchmark needs: when each chunk carrying generated text arrived, the usage block, an error,
// and whether `[DONE]` came. Written for speed, because at 20,000+ tokens/s the client must not
// become what is measured:
//  * bytes are decoded as latin1 (a copy, no UTF-8 validation); text is never looked at;
//  * an ordinary token chunk is recognised with a few substring tests and never JSON-parsed;
//  * only the rare chunks (role header, finish, usage, errors, anything unusual) are parsed.
// The substring tests are safe because generated text is JSON-escaped inside a chunk: a quote in
// the text appears as \" so `"usage"` or `"role"` can only match the chunk's own keys.

export interface Usage {
  promptTokens: number | null;
  completionTokens: number | null;
}

const DATA = 'data:';

/** Per-request stream state. `feed` every chunk with its arrival time (ms); `end` when the body ends. */
export class SseTokenReader {
  /** Chunks that carried generated text (content, reasoning, tool calls or completion text). */
  chunks = 0;
  firstAt = -1;
  lastAt = -1;
  /** Gaps between consecutive text chunks (ms). */
  readonly gaps: number[] = [];
  usage: Usage | null = null;
  error: string | null = null;
  done = false;
  private rest = '';

  feed(chunk: Buffer | string, t: number): void {
    let s = typeof chunk === 'string' ? chunk : chunk.toString('latin1');
    if (this.rest) {
      s = this.rest + s;
      this.rest = '';
    }
    if (s.indexOf('\r') !== -1) s = s.replace(/\r\n?/g, '\n');
    let pos = 0;
    for (;;) {
      const end = s.indexOf('\n\n', pos);
      if (end === -1) break;
      if (end > pos) this.event(s, pos, end, t);
      pos = end + 2;
    }
    if (pos < s.length) this.rest = pos === 0 ? s : s.slice(pos);
  }

  /** The body ended: a last event without its blank line still counts (some proxies drop it). */
  end(t: number): void {
    const r = this.rest.trim();
    this.rest = '';
    if (r) this.event(r, 0, r.length, t);
  }

  private event(s: string, from: number, to: number, t: number): void {
    let payload: string;
    const nl = s.indexOf('\n', from);
    if (s.startsWith('data: ', from) && (nl === -1 || nl >= to)) payload = s.slice(from + 6, to);
    else {
      // General form: several lines, `data:` with or without the space, comments, other fields.
      const lines = s.slice(from, to).split('\n');
      const data: string[] = [];
      for (const line of lines) {
        if (line.startsWith(DATA)) data.push(line.charCodeAt(5) === 32 ? line.slice(6) : line.slice(5));
      }
      if (data.length === 0) return; // a comment or keep-alive
      payload = data.join('\n');
    }
    if (payload.charCodeAt(0) === 91 /* [ */ && payload.startsWith('[DONE]')) {
      this.done = true;
      return;
    }
    if (
      payload.indexOf('"choices":[{') !== -1 &&
      payload.indexOf('"usage"') === -1 &&
      payload.indexOf('"role"') === -1 &&
      payload.indexOf('"finish_reason":"') === -1 &&
      payload.indexOf('"error"') === -1
    ) {
      this.token(t);
      return;
    }
    this.slow(payload, t);
  }

  private token(t: number): void {
    if (this.chunks === 0) this.firstAt = t;
    else this.gaps.push(t - this.lastAt);
    this.lastAt = t;
    this.chunks++;
  }

  /** The uncommon chunks: parse them properly (as UTF-8). */
  private slow(payload: string, t: number): void {
    let obj: unknown;
    try {
      obj = JSON.parse(Buffer.from(payload, 'latin1').toString('utf8'));
    } catch {
      this.error ??= `unreadable stream event: ${payload.slice(0, 200)}`;
      return;
    }
    if (!obj || typeof obj !== 'object') return;
    const o = obj as Record<string, unknown>;
    if (o.error !== undefined || o.object === 'error') {
      const e = (o.error && typeof o.error === 'object' ? o.error : o) as { message?: unknown };
      this.error ??= typeof e.message === 'string' ? e.message : JSON.stringify(o.error ?? o).slice(0, 300);
      return;
    }
    const u = o.usage as { prompt_tokens?: unknown; completion_tokens?: unknown } | null | undefined;
    if (u && typeof u === 'object') {
      this.usage = {
        promptTokens: typeof u.prompt_tokens === 'number' ? u.prompt_tokens : null,
        completionTokens: typeof u.completion_tokens === 'number' ? u.completion_tokens : null,
      };
    }
    const choices = o.choices;
    if (!Array.isArray(choices) || choices.length === 0) return;
    const c = choices[0] as { text?: unknown; delta?: Record<string, unknown> };
    if (
      hasText(c.text) ||
      (c.delta &&
        (hasText(c.delta.content) || hasText(c.delta.reasoning_content) || hasText(c.delta.reasoning) || hasItems(c.delta.tool_calls)))
    ) {
      this.token(t);
    }
  }
}

const hasText = (v: unknown): boolean => typeof v === 'string' && v.length > 0;
const hasItems = (v: unknown): boolean => Array.isArray(v) && v.length > 0;
