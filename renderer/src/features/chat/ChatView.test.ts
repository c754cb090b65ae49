import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { beforeEach, describe, expect, it } from 'vitest';
import type { ChatMessage, ChatTargetInfo, ReplyStats } from '../../contract';
import { useChatStore } from '../../stores/chat-store';
import { AssistantMessage } from './AssistantMessage';
import { ChatView, disabledReason } from './ChatView';
import { turns } from './MessageList';

const stats: ReplyStats = {
  model: 'm',
  ttftMs: 50,
  ttfaMs: 400,
  totalMs: 900,
  tokensPerSecond: 80,
  promptTokens: 12,
  completionTokens: 40,
  reasoningTokens: 25,
  answerTokens: 15,
  reasoningTokensSource: 'tokenize',
  finishReason: 'stop',
  split: 'client',
  budget: null,
};
const m = (
  id: string,
  role: 'user' | 'assistant',
  patch: Partial<ChatMessage & { notes: string[] }> = {},
): ChatMessage & { notes: string[] } => ({
  id,
  role,
  content: 'text',
  reasoning: '',
  createdAt: 1,
  status: 'done',
  notes: [],
  ...patch,
});
const target = (patch: Partial<ChatTargetInfo> = {}): ChatTargetInfo => ({
  kind: 'launched',
  customUrl: '',
  model: null,
  hasKey: false,
  keyStorage: 'session-memory',
  keyStorageNote: 'kept in memory for this session only',
  launched: { url: null, ready: false, status: 'idle' },
  effectiveUrl: '',
  ...patch,
});

const initial = useChatStore.getState();
beforeEach(() => useChatStore.setState(initial, true));

describe('chat view', () => {
  it('initial render: conversation list, empty state, composer, settings with the test ids the e2e uses', () => {
    const html = renderToStaticMarkup(createElement(ChatView));
    for (const id of [
      'chat-list',
      'chat-empty',
      'chat-input',
      'chat-send',
      'chat-think-toggle',
      'chat-compare',
      'chat-budget',
      'chat-budget-tokens',
      'chat-settings',
    ]) {
      expect(html).toContain(`data-testid="${id}"`);
    }
    expect(html).toMatch(/role="switch" aria-checked="true"[^>]*data-testid="chat-think-toggle"/);
    expect(html).toContain('recommended');
  });

  // Server rendering shows the stores' initial state only, so the stateful views (Stop while
  // streaming, the custom target's key note) are covered by e2e/chat.web.spec.ts.
  it('a streaming reply: the Thinking block is open and live, no actions yet', () => {
    const html = renderToStaticMarkup(
      createElement(AssistantMessage, {
        message: m('m-a', 'assistant', {
          status: 'streaming',
          content: '',
          reasoning: 'Let me see',
          notes: ['Thinking budget of 8 tokens reached'],
        }),
        last: true,
        onCopy: () => {},
        onCurl: () => {},
      }),
    );
    expect(html).toContain('thinking…');
    expect(html).toMatch(/<details class="chat-thinking" data-testid="chat-thinking" open="">/);
    expect(html).toContain('Let me see');
    expect(html).toContain('Thinking budget of 8 tokens reached');
    expect(html).toContain('aria-busy="true"');
    expect(html).not.toContain('data-testid="chat-copy"');
  });

  it('a finished reply: folded thinking, answer as Markdown, stats, copy / curl / retry', () => {
    const html = renderToStaticMarkup(
      createElement(AssistantMessage, {
        message: m('m-a', 'assistant', {
          reasoning: 'Because.',
          content: '**Four**',
          stats,
          request: { url: 'u', body: {}, auth: false },
          mode: 'think',
        }),
        last: true,
        onCopy: () => {},
        onCurl: () => {},
        onRetry: () => {},
      }),
    );
    expect(html).toMatch(/<details class="chat-thinking" data-testid="chat-thinking">/);
    expect(html).toContain('25 tokens');
    expect(html).toContain('<strong>Four</strong>');
    expect(html).toContain('data-testid="chat-stats"');
    expect(html).toContain('data-stat="TTFT"');
    for (const id of ['chat-copy', 'chat-copy-curl', 'chat-retry']) expect(html).toContain(`data-testid="${id}"`);
  });

  it('groups turns: a side-by-side turn has two lane replies', () => {
    const g = turns([
      m('u1', 'user'),
      m('a1', 'assistant'),
      m('u2', 'user', { compare: true }),
      m('a2', 'assistant', { lane: 'think' }),
      m('a3', 'assistant', { lane: 'no_think' }),
    ]);
    expect(g.map((x) => [x.user?.id, x.replies.map((r) => r.id)])).toEqual([
      ['u1', ['a1']],
      ['u2', ['a2', 'a3']],
    ]);
  });

  it('says why it cannot send yet', () => {
    expect(disabledReason(null)).toBe('Connecting…');
    expect(disabledReason(target())).toMatch(/No server is running/);
    expect(disabledReason(target({ launched: { url: null, ready: false, status: 'starting' } }))).toMatch(/starting/);
    expect(disabledReason(target({ launched: { url: 'http://x', ready: true, status: 'ready' } }))).toBeNull();
    expect(disabledReason(target({ kind: 'custom', customUrl: '' }))).toMatch(/URL/);
    expect(disabledReason(target({ kind: 'custom', customUrl: 'http://x' }))).toBeNull();
  });
});
