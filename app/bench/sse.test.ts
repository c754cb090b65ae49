import { describe, expect, it } from 'vitest';
import { SseTokenReader } from './sse';

const chat = (content: string, extra = '') =>
  `data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"content":${JSON.stringify(content)}},"logprobs":null,"finish_reason":null}]${extra}}\n\n`;
const ROLE =
  'data: {"id":"c","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"role":"assistant","content":""},"logprobs":null,"finish_reason":null}]}\n\n';
const FINAL =
  'data: {"id":"c","choices":[{"index":0,"delta":{"content":""},"logprobs":null,"finish_reason":"length","stop_reason":null}]}\n\n';
const USAGE =
  'data: {"id":"c","object":"chat.completion.chunk","choices":[],"usage":{"prompt_tokens":12,"total_tokens":15,"completion_tokens":3}}\n\n';
const DONE = 'data: [DONE]\n\n';

function read(parts: string[], times?: number[]): SseTokenReader {
  const r = new SseTokenReader();
  for (const [i, p] of parts.entries()) r.feed(Buffer.from(p, 'utf8'), times?.[i] ?? i * 10);
  r.end(parts.length * 10);
  return r;
}

describe('SseTokenReader', () => {
  it('counts text chunks, skips the role header and the empty final chunk, reads usage and [DONE]', () => {
    const r = read([ROLE, chat(' the'), chat(' cache'), chat(' works'), FINAL, USAGE, DONE], [0, 100, 130, 170, 171, 172, 173]);
    expect(r.chunks).toBe(3);
    expect(r.firstAt).toBe(100);
    expect(r.gaps).toEqual([30, 40]);
    expect(r.usage).toEqual({ promptTokens: 12, completionTokens: 3 });
    expect(r.done).toBe(true);
    expect(r.error).toBeNull();
  });

  it('handles events split at every byte and several events in one read', () => {
    const whole = [ROLE, chat('a'), chat('b"c'), chat('ü ✓'), USAGE, DONE].join('');
    const bytes = Buffer.from(whole, 'utf8');
    const r = new SseTokenReader();
    for (let i = 0; i < bytes.length; i++) r.feed(bytes.subarray(i, i + 1), i);
    r.end(bytes.length);
    expect(r.chunks).toBe(3);
    expect(r.done).toBe(true);
    const one = read([whole]);
    expect(one.chunks).toBe(3);
    expect(one.gaps).toEqual([0, 0]);
  });

  it('is not fooled by key names inside generated text (they arrive JSON-escaped)', () => {
    const tricky = chat('"usage":{"x":1} "role" "finish_reason":"stop" "error"');
    const r = read([tricky, chat('ok'), DONE]);
    expect(r.chunks).toBe(2);
    expect(r.usage).toBeNull();
    expect(r.error).toBeNull();
  });

  it('reads completions text, reasoning deltas and tool calls as tokens', () => {
    const completion =
      'data: {"id":"cmpl","object":"text_completion","choices":[{"index":0,"text":" hi","logprobs":null,"finish_reason":null}]}\n\n';
    const lastWithText = 'data: {"id":"cmpl","choices":[{"index":0,"text":" end","finish_reason":"length","stop_reason":null}]}\n\n';
    const reasoning = 'data: {"choices":[{"index":0,"delta":{"role":"assistant","reasoning_content":"think"}}]}\n\n';
    const tool = 'data: {"choices":[{"index":0,"delta":{"role":"assistant","tool_calls":[{"index":0}]}}]}\n\n';
    expect(read([completion, lastWithText, DONE]).chunks).toBe(2);
    expect(read([reasoning, tool, DONE]).chunks).toBe(2);
  });

  it('accepts CRLF framing, data: without a space, comments and multi-line events', () => {
    const crlf = chat('x').replace(/\n/g, '\r\n');
    const noSpace = 'data:{"choices":[{"index":0,"text":"y"}]}\n\n';
    const comment = ': keep-alive\n\n';
    const multi = 'event: message\ndata: {"choices":[{"index":0,\ndata: "text":"z"}]}\n\n';
    const r = read([crlf, comment, noSpace, multi, 'data: [DONE]\r\n\r\n']);
    expect(r.chunks).toBe(3);
    expect(r.done).toBe(true);
  });

  it('reports error events (nested and flat) and garbage', () => {
    const nested = read([
      'data: {"error":{"message":"EngineCore encountered an issue","type":"InternalServerError","code":500}}\n\n',
      DONE,
    ]);
    expect(nested.error).toBe('EngineCore encountered an issue');
    const flat = read(['data: {"object":"error","message":"bad","type":"BadRequestError","code":400}\n\n']);
    expect(flat.error).toBe('bad');
    expect(flat.done).toBe(false);
    expect(read(['data: {not json\n\n']).error).toMatch(/unreadable stream event/);
  });

  it('takes a last event that lost its blank line at the end of the body', () => {
    const r = read([chat('a'), 'data: [DONE]']);
    expect(r.done).toBe(true);
  });
});
