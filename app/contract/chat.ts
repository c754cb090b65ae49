// Contract of the chat module (issue 7): streaming chat with the launched vLLM server or any
// OpenAI-compatible URL, the /think and /no_think switch, reasoning shown apart from the answer,
// a client-side thinking budget, side-by-side replies, per-reply stats, conversations on disk.
import { z } from 'zod';
import { Empty, UserError } from './common';

/**
 * Size bounds. A user message must fit the web shell's 1 MiB WebSocket frame (app/web/server.ts)
 * as JSON even when every character takes 3 UTF-8 bytes, so 200k characters (≈ 50k tokens at
 * ~4 characters a token). Replies can be longer (up to the context length, 128k tokens for
 * Nemotron-Nano-12B-v2 ≈ 512k characters), so stored assistant text gets a larger cap.
 */
export const CHAT_LIMITS = {
  messageChars: 200_000,
  replyChars: 2_000_000,
  systemPromptChars: 20_000,
  messagesPerConversation: 2_000,
  titleChars: 200,
  stopStrings: 8,
  stopChars: 200,
  queryChars: 200,
  urlChars: 2_000,
  apiKeyChars: 4_096,
  modelChars: 500,
} as const;

/** Conversation and message ids: file names on disk, so a strict alphabet (no path tricks). */
export const ChatId = z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'must be 1–64 characters of a–z, 0–9 and -');
export type ChatId = z.infer<typeof ChatId>;

export const ThinkMode = z.enum(['think', 'no_think']);
export type ThinkMode = z.infer<typeof ThinkMode>;

/**
 * Sampling fields sent with a request. `null` leaves the field out, so vLLM applies its own
 * default (for Nemotron that includes the model's generation_config.json, nemotron.md §3).
 */
export const Sampling = z.object({
  temperature: z.number().min(0).max(2).nullable().default(null),
  top_p: z.number().gt(0).max(1).nullable().default(null),
  /** vLLM extra parameter; -1 (or null) = off. */
  top_k: z.number().int().min(-1).max(1_000_000).nullable().default(null),
  max_tokens: z.number().int().min(1).max(1_048_576).nullable().default(null),
  seed: z
    .number()
    .int()
    .min(-(2 ** 53) + 1)
    .max(2 ** 53 - 1)
    .nullable()
    .default(null),
  stop: z.array(z.string().min(1).max(CHAT_LIMITS.stopChars)).max(CHAT_LIMITS.stopStrings).default([]),
  /** vLLM extra parameter (benchmarks: generate exactly max_tokens). Not shown in the UI. */
  ignore_eos: z.boolean().optional(),
});
export type Sampling = z.infer<typeof Sampling>;
export type SamplingInput = z.input<typeof Sampling>;

/** What a conversation remembers: mode, own system prompt, sampling per mode, thinking budget. */
export const ChatSettings = z.object({
  mode: ThinkMode.default('think'),
  /** The user's own system prompt; the mode keyword is added in front of it when sending. */
  systemPrompt: z.string().max(CHAT_LIMITS.systemPromptChars).default(''),
  /** Sampling per mode, so switching modes switches to that mode's (recommended, editable) values. */
  sampling: z.object({ think: Sampling, no_think: Sampling }).default({
    think: { temperature: 0.6, top_p: 0.95, top_k: null, max_tokens: 2048, seed: null, stop: [] },
    no_think: { temperature: 0, top_p: 1, top_k: null, max_tokens: 1024, seed: null, stop: [] },
  }),
  /** Thinking budget (the model card's client technique): cap reasoning at `tokens`, then answer. */
  budget: z
    .object({ enabled: z.boolean().default(false), tokens: z.number().int().min(1).max(131_072).default(512) })
    .default({ enabled: false, tokens: 512 }),
});
export type ChatSettings = z.infer<typeof ChatSettings>;
export type ChatSettingsInput = z.input<typeof ChatSettings>;

export const ReplyStats = z.object({
  /** Model name the request used. */
  model: z.string(),
  /** Request sent → first streamed text (reasoning or answer), ms. */
  ttftMs: z.number().nullable(),
  /** Request sent → first answer text (after the reasoning), ms. */
  ttfaMs: z.number().nullable(),
  /** Request sent → stream ended, ms. */
  totalMs: z.number(),
  /** Completion tokens per second while streaming: (tokens − 1) / (last token − first token). */
  tokensPerSecond: z.number().nullable(),
  promptTokens: z.number().nullable(),
  completionTokens: z.number().nullable(),
  reasoningTokens: z.number().nullable(),
  /** completion − reasoning (includes the `</think>` delimiter when the client split). */
  answerTokens: z.number().nullable(),
  /** Where reasoningTokens came from: the server's usage details, the server's /tokenize, or nowhere. */
  reasoningTokensSource: z.enum(['usage', 'tokenize', 'none']),
  /** finish_reason of the (last) stream; `abort` when the user stopped it. */
  finishReason: z.string().nullable(),
  /** Who separated reasoning from answer: the server's reasoning parser, the client at `</think>`, or nobody. */
  split: z.enum(['server', 'client', 'none']),
  /** Set when a thinking budget was active. */
  budget: z
    .object({
      limit: z.number(),
      /** The reasoning hit the limit and was closed by the client. */
      hit: z.boolean(),
      /** The answer was continued through /v1/completions. */
      continued: z.boolean(),
    })
    .nullable(),
});
export type ReplyStats = z.infer<typeof ReplyStats>;

/** The HTTP request as sent (the API key is never stored): for "Copy as curl". */
export const RecordedRequest = z.object({
  url: z.string(),
  body: z.record(z.string(), z.unknown()),
  /** Whether an API key was sent (the curl then carries a redacted Authorization header). */
  auth: z.boolean(),
});
export type RecordedRequest = z.infer<typeof RecordedRequest>;

export const ChatMessage = z.object({
  id: ChatId,
  role: z.enum(['user', 'assistant']),
  /** User text, or the assistant's answer (without the reasoning). */
  content: z.string().max(CHAT_LIMITS.replyChars),
  /** Assistant reasoning ("Thinking" block). */
  reasoning: z.string().max(CHAT_LIMITS.replyChars).default(''),
  createdAt: z.number(),
  /** Assistant: the mode the reply was generated in. */
  mode: ThinkMode.optional(),
  /** Side-by-side replies: which lane (both lanes answer the same user message). */
  lane: ThinkMode.optional(),
  /** User message sent in side-by-side mode. */
  compare: z.boolean().optional(),
  status: z.enum(['done', 'streaming', 'aborted', 'error']).default('done'),
  error: UserError.optional(),
  stats: ReplyStats.optional(),
  request: RecordedRequest.optional(),
  /** The budget continuation request (/v1/completions), when one was made. */
  continuation: RecordedRequest.optional(),
});
export type ChatMessage = z.infer<typeof ChatMessage>;

export const TargetKind = z.enum(['launched', 'custom']);
export type TargetKind = z.infer<typeof TargetKind>;

export const Conversation = z.object({
  version: z.literal(1),
  id: ChatId,
  title: z.string().max(CHAT_LIMITS.titleChars),
  createdAt: z.number(),
  updatedAt: z.number(),
  settings: ChatSettings,
  messages: z.array(ChatMessage).max(CHAT_LIMITS.messagesPerConversation),
  /** Where the last reply came from (shown in the header; not a secret). */
  target: z.object({ kind: TargetKind, url: z.string(), model: z.string() }).nullable().default(null),
  /** The "server has no reasoning parser" warning was shown for this conversation. */
  warnedNoParser: z.boolean().default(false),
});
export type Conversation = z.infer<typeof Conversation>;

export const ConversationSummary = z.object({
  id: ChatId,
  title: z.string(),
  createdAt: z.number(),
  updatedAt: z.number(),
  messageCount: z.number(),
  /** Start of the last message, for the list. */
  preview: z.string(),
});
export type ConversationSummary = z.infer<typeof ConversationSummary>;

// A regex, not `new URL()`: the contract compiles without DOM or Node types.
const HttpUrl = z
  .string()
  .max(CHAT_LIMITS.urlChars)
  .regex(/^https?:\/\/[^\s/?#@]+(:\d{1,5})?(\/[^\s]*)?$/i, 'must be an http:// or https:// URL');

/** Where chat requests go, and how the API key is kept. The key itself never leaves the core. */
export const ChatTargetInfo = z.object({
  kind: TargetKind,
  /** The custom server's base URL (without /v1), '' when none was entered. */
  customUrl: z.string(),
  /** Model name to request; null = the first model /v1/models lists. */
  model: z.string().nullable(),
  /** An API key is stored for the custom target. */
  hasKey: z.boolean(),
  /** os-keychain: Electron safeStorage (encrypted at rest); session-memory: kept only until the panel exits. */
  keyStorage: z.enum(['os-keychain', 'session-memory']),
  keyStorageNote: z.string(),
  /** The server the panel launched, when there is one. */
  launched: z.object({ url: z.string().nullable(), ready: z.boolean(), status: z.string() }),
  /** URL the next request goes to ('' when there is none yet). */
  effectiveUrl: z.string(),
});
export type ChatTargetInfo = z.infer<typeof ChatTargetInfo>;

export const ChatConfigure = z
  .object({
    kind: TargetKind.optional(),
    customUrl: z.union([HttpUrl, z.literal('')]).optional(),
    model: z.string().min(1).max(CHAT_LIMITS.modelChars).nullable().optional(),
    /** A new key (stored in the KeyStore), or null to forget it. */
    apiKey: z
      .string()
      .min(1)
      .max(CHAT_LIMITS.apiKeyChars)
      // A header value: no control characters (they would corrupt or split the request).
      .regex(/^[^\u0000-\u001f\u007f]+$/, 'must not contain control characters')
      .nullable()
      .optional(),
  })
  .strict();
export type ChatConfigure = z.infer<typeof ChatConfigure>;

const Content = z.string().max(CHAT_LIMITS.messageChars);

export const ChatSendRequest = z.object({
  /** Omit to start a new conversation. */
  conversationId: ChatId.optional(),
  /** send: a new user message; retry: answer the last user message again; edit: replace it, then answer. */
  action: z.enum(['send', 'retry', 'edit']).default('send'),
  content: Content.default(''),
  settings: ChatSettings,
});
export type ChatSendRequest = z.input<typeof ChatSendRequest>;

export const ChatCompareRequest = z.object({
  conversationId: ChatId.optional(),
  content: Content.min(1),
  settings: ChatSettings,
});

export const ChatSendResult = z.object({
  conversationId: ChatId,
  userMessageId: ChatId,
  /** One reply, or two in side-by-side mode (think lane first). */
  assistantMessageIds: z.array(ChatId),
});
export type ChatSendResult = z.infer<typeof ChatSendResult>;

export const ChatCurlRequest = z.object({
  source: z.discriminatedUnion('kind', [
    /** The request the composer would send now. */
    z.object({ kind: z.literal('draft'), conversationId: ChatId.optional(), content: Content, settings: ChatSettings }),
    /** The request a stored reply was generated with. */
    z.object({ kind: z.literal('message'), conversationId: ChatId, messageId: ChatId }),
  ]),
  /** Put the real API key into the command (default: redacted). */
  revealKey: z.boolean().default(false),
});

export const ChatCurlResult = z.object({
  command: z.string(),
  /** The command carries a placeholder instead of the key. */
  redacted: z.boolean(),
  url: z.string(),
});
export type ChatCurlResult = z.infer<typeof ChatCurlResult>;

export const ChatExportResult = z.object({ filename: z.string(), mime: z.string(), content: z.string() });

export const ChatModel = z.object({ id: z.string(), maxModelLen: z.number().nullable() });

/** Pushed while replies stream (batched: at most one delta per reply every ~16 ms) and when they end. */
export const ChatEvent = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('delta'),
    conversationId: ChatId,
    messageId: ChatId,
    reasoning: z.string(),
    answer: z.string(),
  }),
  /** A step of a reply worth showing (e.g. "thinking budget reached, continuing the answer"). */
  z.object({ type: z.literal('status'), conversationId: ChatId, messageId: ChatId, note: z.string() }),
  /** The reply ended (done, aborted or failed): the final message with its stats. */
  z.object({
    type: z.literal('done'),
    conversationId: ChatId,
    message: ChatMessage,
    /** Shown once per conversation, e.g. "the server has no reasoning parser". */
    warning: z.string().optional(),
  }),
  /** A conversation was created, changed or deleted (lists refresh). */
  z.object({ type: z.literal('saved'), summary: ConversationSummary }),
  z.object({ type: z.literal('deleted'), id: ChatId }),
]);
export type ChatEvent = z.infer<typeof ChatEvent>;

export const chatCommands = {
  'chat:settings': { req: Empty, res: ChatTargetInfo },
  'chat:configure': { req: ChatConfigure, res: ChatTargetInfo },
  'chat:models': { req: Empty, res: z.object({ url: z.string(), models: z.array(ChatModel) }) },
  'chat:send': { req: ChatSendRequest, res: ChatSendResult },
  'chat:compare': { req: ChatCompareRequest, res: ChatSendResult },
  'chat:abort': { req: z.object({ conversationId: ChatId, messageId: ChatId.optional() }), res: z.object({ aborted: z.number() }) },
  'chat:curl': { req: ChatCurlRequest, res: ChatCurlResult },
  'chat:list': {
    req: z.object({ query: z.string().max(CHAT_LIMITS.queryChars).optional() }).optional(),
    res: z.object({ items: z.array(ConversationSummary), problems: z.array(z.string()) }),
  },
  'chat:get': { req: z.object({ id: ChatId }), res: Conversation },
  'chat:save': {
    req: z.object({ id: ChatId, title: z.string().min(1).max(CHAT_LIMITS.titleChars).optional(), settings: ChatSettings.optional() }),
    res: Conversation,
  },
  'chat:delete': { req: z.object({ id: ChatId }), res: z.object({ ok: z.literal(true) }) },
  'chat:export': { req: z.object({ id: ChatId, format: z.enum(['markdown', 'json']) }), res: ChatExportResult },
} as const;

export const chatEvents = {
  chat: ChatEvent,
} as const;
