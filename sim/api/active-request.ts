// One in-flight /v1/chat/completions or /v1/completions request on the API side: turns the engine's
// token counts into text from the request's deterministic OutputStream, applies stop strings and
// the reasoning split, and writes vLLM-shaped JSON / SSE. Chunk JSON is assembled from
// precomputed prefix/suffix strings (only the delta text goes through JSON.stringify), one write
// per token per engine step.
import type { ServerResponse } from 'node:http';
import type { OutputStream } from '../text/generator';

export type FinishReason = 'stop' | 'length' | 'abort';

export interface ActiveRequestInit {
  id: number;
  requestId: string;
  kind: 'chat' | 'completion';
  res: ServerResponse;
  stream: boolean;
  includeUsage: boolean;
  continuousUsage: boolean;
  modelName: string;
  created: number;
  promptLen: number;
  maxTokens: number;
  /** max_tokens as the client sent it (metrics histogram), null when absent. */
  maxTokensParam: number | null;
  output: OutputStream;
  stop: string[];
  includeStopStr: boolean;
  /** Fields reasoning goes to (empty: no reasoning parser, reasoning stays in content). */
  reasoningFields: ('reasoning' | 'reasoning_content')[];
  promptTokensDetails: boolean;
  arrival: number;
  dp: number;
}

const enc = (s: string) => JSON.stringify(s);

export class ActiveRequest {
  readonly id: number;
  readonly dp: number;
  readonly promptLen: number;
  readonly maxTokens: number;
  readonly maxTokensParam: number | null;
  readonly arrival: number;
  generated = 0;
  firstScheduled = -1;
  firstTokenT = -1;
  lastT = -1;
  cachedTokens = 0;
  finished = false;
  private readonly o: ActiveRequestInit;
  private readonly head: string;
  private readonly split: boolean;
  private readonly maxStop: number;
  /** Full raw text so far (for stop strings) and what has been emitted per channel. */
  private raw = '';
  private pendingReasoning = '';
  private pendingContent = '';
  private reasoningOut = '';
  private contentOut = '';
  private roleSent = false;
  private stopReason: string | null = null;

  constructor(o: ActiveRequestInit) {
    this.o = o;
    this.id = o.id;
    this.dp = o.dp;
    this.promptLen = o.promptLen;
    this.maxTokens = o.maxTokens;
    this.maxTokensParam = o.maxTokensParam;
    this.arrival = o.arrival;
    this.split = o.reasoningFields.length > 0 && o.output.thinkEnd !== -1;
    this.maxStop = o.stop.reduce((m, s) => Math.max(m, s.length), 0);
    const object = o.kind === 'chat' ? 'chat.completion.chunk' : 'text_completion';
    this.head = `{"id":${enc(o.requestId)},"object":"${object}","created":${o.created},"model":${enc(o.modelName)},"choices":`;
    if (o.stream) {
      o.res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' });
      o.res.flushHeaders();
    }
  }

  /**
   * Token number `generated` arrived. `engineReason`: 0 running, 1 EOS, 2 length. Returns the
   * finish reason when the request is complete (engine finish or a stop string here).
   */
  token(engineReason: number): FinishReason | null {
    const idx = this.generated++;
    const o = this.o;
    o.output.ensure(idx + 1);
    let piece = o.output.pieces[idx] ?? '';
    let reason: FinishReason | null = engineReason === 1 ? 'stop' : engineReason === 2 ? 'length' : null;
    const isThinkEnd = this.split && idx === o.output.thinkEnd;
    const inReasoning = this.split && idx < o.output.thinkEnd;
    if (this.maxStop > 0 && !isThinkEnd) {
      const before = this.raw.length;
      this.raw += piece;
      const from = Math.max(0, before - this.maxStop + 1);
      let hit = -1;
      let which = '';
      for (const s of o.stop) {
        const at = s === '' ? -1 : this.raw.indexOf(s, from);
        if (at !== -1 && (hit === -1 || at < hit)) {
          hit = at;
          which = s;
        }
      }
      if (hit !== -1) {
        const keep = hit + (o.includeStopStr ? which.length : 0);
        piece = keep >= before ? this.raw.slice(before, keep) : '';
        if (keep < before) this.trimPending(before - keep);
        this.raw = this.raw.slice(0, keep);
        reason = 'stop';
        this.stopReason = which;
      }
    }
    if (!isThinkEnd) {
      if (inReasoning) this.pendingReasoning += piece;
      else {
        if (this.split && this.pendingReasoning) this.flushReasoning();
        this.pendingContent += piece;
      }
    } else this.flushReasoning();
    if (o.stream) this.emitStream(reason);
    if (reason) this.finish(reason);
    return reason;
  }

  /** Removes `n` trailing characters not yet emitted (a stop string began inside held-back text). */
  private trimPending(n: number): void {
    const fromContent = Math.min(n, this.pendingContent.length);
    this.pendingContent = this.pendingContent.slice(0, this.pendingContent.length - fromContent);
    const rest = n - fromContent;
    if (rest > 0) this.pendingReasoning = this.pendingReasoning.slice(0, Math.max(0, this.pendingReasoning.length - rest));
  }

  private flushReasoning(): void {
    if (!this.o.stream || !this.pendingReasoning) return;
    this.writeDelta(this.reasoningDelta(this.pendingReasoning), null);
    this.reasoningOut += this.pendingReasoning;
    this.pendingReasoning = '';
  }

  private reasoningDelta(text: string): string {
    return this.o.reasoningFields.map((f) => `"${f}":${enc(text)}`).join(',');
  }

  private usageJson(): string {
    const u = this.o;
    const details = u.promptTokensDetails ? `,"prompt_tokens_details":{"cached_tokens":${this.cachedTokens}}` : '';
    return `{"prompt_tokens":${u.promptLen},"total_tokens":${u.promptLen + this.generated},"completion_tokens":${this.generated}${details}}`;
  }

  private writeDelta(deltaFields: string, finish: FinishReason | null): void {
    const o = this.o;
    const fin = finish ? `"${finish === 'abort' ? 'abort' : finish}"` : 'null';
    const stopReason = finish ? (this.stopReason !== null ? enc(this.stopReason) : 'null') : null;
    let choice: string;
    if (o.kind === 'chat') {
      choice = `{"index":0,"delta":{${deltaFields}},"logprobs":null,"finish_reason":${fin}${stopReason !== null ? `,"stop_reason":${stopReason}` : ''}}`;
    } else {
      choice = `{"index":0,"text":${deltaFields},"logprobs":null,"finish_reason":${fin},"stop_reason":${stopReason ?? 'null'}}`;
    }
    const usage = o.continuousUsage && o.includeUsage ? `,"usage":${this.usageJson()}` : '';
    o.res.write(`data: ${this.head}[${choice}]${usage}}\n\n`);
  }

  private emitStream(reason: FinishReason | null): void {
    const o = this.o;
    if (o.kind === 'chat' && !this.roleSent) {
      this.roleSent = true;
      this.writeDelta('"role":"assistant","content":""', null);
    }
    // Hold back what could still be the start of a stop string.
    const hold = reason ? 0 : Math.max(0, this.maxStop - 1);
    if (this.pendingReasoning.length > hold && !reason) {
      const n = this.pendingReasoning.length - hold;
      const text = this.pendingReasoning.slice(0, n);
      this.pendingReasoning = this.pendingReasoning.slice(n);
      this.reasoningOut += text;
      this.writeDelta(this.reasoningDelta(text), null);
    }
    if (reason) {
      if (this.pendingReasoning) this.flushReasoning();
      const text = this.pendingContent;
      this.pendingContent = '';
      this.contentOut += text;
      this.writeDelta(o.kind === 'chat' ? `"content":${enc(text)}` : enc(text), reason);
      return;
    }
    if (this.pendingContent.length > hold) {
      const n = this.pendingContent.length - hold;
      const text = this.pendingContent.slice(0, n);
      this.pendingContent = this.pendingContent.slice(n);
      this.contentOut += text;
      this.writeDelta(o.kind === 'chat' ? `"content":${enc(text)}` : enc(text), null);
    }
  }

  private finish(reason: FinishReason): void {
    if (this.finished) return;
    this.finished = true;
    const o = this.o;
    if (o.stream) {
      if (o.includeUsage) o.res.write(`data: ${this.head}[],"usage":${this.usageJson()}}\n\n`);
      o.res.end('data: [DONE]\n\n');
      return;
    }
    const content = this.contentOut + this.pendingContent;
    const reasoning = this.reasoningOut + this.pendingReasoning;
    const stopReason = this.stopReason !== null ? enc(this.stopReason) : 'null';
    let body: string;
    if (o.kind === 'chat') {
      const reasoningFields = o.reasoningFields.length
        ? o.reasoningFields.map((f) => `,"${f}":${this.split ? enc(reasoning) : 'null'}`).join('')
        : '';
      body =
        `{"id":${enc(o.requestId)},"object":"chat.completion","created":${o.created},"model":${enc(o.modelName)},"choices":[{"index":0,"message":{"role":"assistant","content":${enc(content)},` +
        `"refusal":null,"annotations":null,"audio":null,"function_call":null,"tool_calls":[]${reasoningFields}},"logprobs":null,"finish_reason":"${reason}","stop_reason":${stopReason}}],` +
        `"service_tier":null,"system_fingerprint":null,"usage":${this.usageJson()},"prompt_logprobs":null,"kv_transfer_params":null}`;
    } else {
      body =
        `{"id":${enc(o.requestId)},"object":"text_completion","created":${o.created},"model":${enc(o.modelName)},"choices":[{"index":0,"text":${enc(content)},` +
        `"logprobs":null,"finish_reason":"${reason}","stop_reason":${stopReason},"prompt_logprobs":null}],"service_tier":null,"system_fingerprint":null,` +
        `"usage":${this.usageJson()},"kv_transfer_params":null}`;
    }
    o.res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    o.res.end(body);
  }

  /** Client went away: nothing more is written. */
  abortSilently(): void {
    this.finished = true;
  }

  /** The engine died under the request (EngineDeadError). */
  fail(message: string, nested: boolean): void {
    if (this.finished) return;
    this.finished = true;
    const err = nested
      ? `{"error":{"message":${enc(message)},"type":"InternalServerError","param":null,"code":500}}`
      : `{"object":"error","message":${enc(message)},"type":"InternalServerError","param":null,"code":500}`;
    const o = this.o;
    if (o.stream) {
      o.res.write(`data: ${err}\n\n`);
      o.res.end('data: [DONE]\n\n');
    } else {
      o.res.writeHead(500, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(err) });
      o.res.end(err);
    }
  }
}
