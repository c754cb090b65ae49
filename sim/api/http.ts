// The simulator's HTTP surface (vllm-runtime.md §4), on node:http: health/ping/version/load,
// /v1/models, /v1/chat/completions, /v1/completions, /tokenize, /detokenize, /metrics, the docs
// routes; --api-key on /v1/*; uvicorn access lines; vLLM's error bodies.

import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { z } from 'zod';
import type { SimConfig } from '../config';
import type { ProcLog } from '../log/writer';
import type { SimMemoryPlan } from '../memory';
import { type RenderOptions, renderChat } from '../text/chat-template';
import { hashSeed, OutputStream, topicWords } from '../text/generator';
import { blockHashes, tokenizer } from '../text/tokenizer';
import type { VersionTraits } from '../version';
import { ActiveRequest } from './active-request';
import type { EngineClient } from './engine-client';
import {
  type ChatRequest,
  ChatRequestSchema,
  type CompletionRequest,
  CompletionRequestSchema,
  contentText,
  DetokenizeRequestSchema,
  describeIssues,
  TokenizeRequestSchema,
} from './schemas';
import type { VllmMetrics } from './vllm-metrics';

/** Request bodies above this are refused (uvicorn/h11 would cut the connection; 413 is kinder). */
const MAX_BODY = 32 * 1024 * 1024;

/** Routes in the order a v0.13/0.14 start lists them (vllm-logs 01/07), for the log and 405s. */
export const ROUTES: readonly [string, string][] = [
  ['/openapi.json', 'GET, HEAD'],
  ['/docs', 'GET, HEAD'],
  ['/docs/oauth2-redirect', 'GET, HEAD'],
  ['/redoc', 'GET, HEAD'],
  ['/scale_elastic_ep', 'POST'],
  ['/is_scaling_elastic_ep', 'POST'],
  ['/tokenize', 'POST'],
  ['/detokenize', 'POST'],
  ['/inference/v1/generate', 'POST'],
  ['/pause', 'POST'],
  ['/resume', 'POST'],
  ['/is_paused', 'GET'],
  ['/metrics', 'GET'],
  ['/health', 'GET'],
  ['/load', 'GET'],
  ['/v1/models', 'GET'],
  ['/version', 'GET'],
  ['/v1/responses', 'POST'],
  ['/v1/responses/{response_id}', 'GET'],
  ['/v1/responses/{response_id}/cancel', 'POST'],
  ['/v1/messages', 'POST'],
  ['/v1/chat/completions', 'POST'],
  ['/v1/completions', 'POST'],
  ['/v1/audio/transcriptions', 'POST'],
  ['/v1/audio/translations', 'POST'],
  ['/ping', 'GET'],
  ['/ping', 'POST'],
  ['/invocations', 'POST'],
  ['/classify', 'POST'],
  ['/v1/embeddings', 'POST'],
  ['/score', 'POST'],
  ['/v1/score', 'POST'],
  ['/rerank', 'POST'],
  ['/v1/rerank', 'POST'],
  ['/v2/rerank', 'POST'],
  ['/pooling', 'POST'],
];

const REASONS: Record<number, string> = {
  200: 'OK',
  400: 'Bad Request',
  401: 'Unauthorized',
  404: 'Not Found',
  405: 'Method Not Allowed',
  413: 'Request Entity Too Large',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

export interface HttpContext {
  cfg: SimConfig;
  traits: VersionTraits;
  plan: SimMemoryPlan;
  log: ProcLog;
  client: EngineClient;
  metrics: VllmMetrics;
  startedAt: number;
  /** False once the engine is dead (health 503) or the server is stopping. */
  healthy: () => boolean;
}

export class SimHttp {
  private readonly tok = tokenizer();
  constructor(private readonly ctx: HttpContext) {}

  private access(req: IncomingMessage, status: number): void {
    const { cfg, log } = this.ctx;
    if (!cfg.accessLog || ['warning', 'error', 'critical'].includes(cfg.uvicornLogLevel)) return;
    const path = req.url ?? '/';
    const bare = path.split('?')[0]!;
    if (cfg.accessLogExclude.includes(bare)) return;
    const addr = (req.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, '');
    log.access(`${addr}:${req.socket.remotePort ?? 0}`, req.method ?? 'GET', path, req.httpVersion, status, REASONS[status] ?? '');
  }

  private json(req: IncomingMessage, res: ServerResponse, status: number, body: unknown): void {
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
    this.access(req, status);
  }

  /** vLLM's ErrorResponse: nested `{"error": {...}}` in current versions, flat before ~0.11. */
  errorBody(message: string, type: string, code: number, param: string | null = null): unknown {
    return this.ctx.traits.nestedErrorBody ? { error: { message, type, param, code } } : { object: 'error', message, type, param, code };
  }

  private readBody(req: IncomingMessage): Promise<string | null> {
    return new Promise((resolve) => {
      const chunks: Buffer[] = [];
      let size = 0;
      req.on('data', (c: Buffer) => {
        size += c.length;
        if (size > MAX_BODY) {
          resolve(null);
          req.destroy();
          return;
        }
        chunks.push(c);
      });
      req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      req.on('error', () => resolve(null));
    });
  }

  private async parse<T extends z.ZodTypeAny>(req: IncomingMessage, res: ServerResponse, schema: T): Promise<z.infer<T> | undefined> {
    const raw = await this.readBody(req);
    if (raw === null) {
      this.json(req, res, 413, this.errorBody('Request body too large', 'BadRequestError', 413));
      return undefined;
    }
    let data: unknown;
    try {
      data = JSON.parse(raw);
    } catch {
      this.json(
        req,
        res,
        400,
        this.errorBody(`[{'type': 'json_invalid', 'loc': ('body', 0), 'msg': 'JSON decode error'}]`, 'BadRequestError', 400),
      );
      return undefined;
    }
    const r = schema.safeParse(data);
    if (!r.success) {
      this.json(req, res, 400, this.errorBody(describeIssues(r.error), 'BadRequestError', 400));
      return undefined;
    }
    return r.data;
  }

  private modelOk(req: IncomingMessage, res: ServerResponse, model: string | null | undefined): boolean {
    if (model === undefined || model === null || this.ctx.cfg.servedModelNames.includes(model)) return true;
    this.json(req, res, 404, this.errorBody(`The model \`${model}\` does not exist.`, 'NotFoundError', 404, 'model'));
    return false;
  }

  handle(req: IncomingMessage, res: ServerResponse): void {
    const method = req.method ?? 'GET';
    const url = req.url ?? '/';
    const path = url.split('?')[0]!;
    const { cfg } = this.ctx;
    res.setHeader('server', 'uvicorn');
    res.setHeader('date', new Date().toUTCString());
    if (req.headers.origin) res.setHeader('access-control-allow-origin', '*');

    if (method === 'OPTIONS' && req.headers.origin) {
      res.writeHead(200, {
        'access-control-allow-methods': '*',
        'access-control-allow-headers': String(req.headers['access-control-request-headers'] ?? '*'),
        'content-length': 0,
      });
      res.end();
      this.access(req, 200);
      return;
    }
    // vLLM's auth middleware guards the /v1 API only (vllm-runtime.md §4).
    if (cfg.apiKeys.length > 0 && path.startsWith('/v1')) {
      const auth = req.headers.authorization ?? '';
      if (!cfg.apiKeys.some((k) => auth === `Bearer ${k}`)) {
        this.json(req, res, 401, { error: 'Unauthorized' });
        return;
      }
    }

    const known = ROUTES.filter(([p]) => p === path);
    const allowed = known.flatMap(([, m]) => m.split(', '));
    if (known.length === 0) {
      this.json(req, res, 404, { detail: 'Not Found' });
      return;
    }
    if (!allowed.includes(method)) {
      this.json(req, res, 405, { detail: 'Method Not Allowed' });
      return;
    }
    switch (path) {
      case '/health':
      case '/ping':
        this.health(req, res);
        return;
      case '/version':
        this.json(req, res, 200, { version: cfg.version });
        return;
      case '/load':
        this.json(req, res, 200, { server_load: this.ctx.client.requests.size });
        return;
      case '/v1/models':
        this.models(req, res);
        return;
      case '/metrics': {
        const text = this.ctx.metrics.render();
        res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8', 'content-length': Buffer.byteLength(text) });
        res.end(text);
        this.access(req, 200);
        return;
      }
      case '/v1/chat/completions':
        void this.chat(req, res);
        return;
      case '/v1/completions':
        void this.completion(req, res);
        return;
      case '/tokenize':
        void this.tokenize(req, res);
        return;
      case '/detokenize':
        void this.detokenize(req, res);
        return;
      case '/openapi.json':
      case '/docs':
      case '/docs/oauth2-redirect':
      case '/redoc':
        if (!cfg.docs) {
          this.json(req, res, 404, { detail: 'Not Found' });
          return;
        }
        if (path === '/openapi.json') {
          const paths = Object.fromEntries(
            ROUTES.map(([p, m]) => [p, Object.fromEntries(m.split(', ').map((x) => [x.toLowerCase(), {}]))]),
          );
          this.json(req, res, 200, { openapi: '3.1.0', info: { title: 'FastAPI', version: '0.1.0' }, paths });
          return;
        }
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        res.end('<!DOCTYPE html><html><head><title>FastAPI - Swagger UI</title></head><body>vllm-sim</body></html>');
        this.access(req, 200);
        return;
      default:
        // Listed by vLLM but not simulated (pooling, audio, responses, …).
        this.json(req, res, 404, { detail: 'Not Found' });
        return;
    }
  }

  private health(req: IncomingMessage, res: ServerResponse): void {
    const ok = this.ctx.healthy();
    res.writeHead(ok ? 200 : 503, { 'content-length': 0 });
    res.end();
    this.access(req, ok ? 200 : 503);
  }

  private models(req: IncomingMessage, res: ServerResponse): void {
    const { cfg, plan, startedAt } = this.ctx;
    const created = Math.floor(startedAt / 1000);
    const data = cfg.servedModelNames.map((name) => ({
      id: name,
      object: 'model',
      created,
      owned_by: 'vllm',
      root: cfg.model,
      parent: null,
      max_model_len: plan.maxModelLen,
      permission: [
        {
          id: `modelperm-${randomBytes(16).toString('hex')}`,
          object: 'model_permission',
          created,
          allow_create_engine: false,
          allow_sampling: true,
          allow_logprobs: true,
          allow_search_indices: false,
          allow_view: true,
          allow_fine_tuning: false,
          organization: '*',
          group: null,
          is_blocking: false,
        },
      ],
    }));
    this.json(req, res, 200, { object: 'list', data });
  }

  private renderedChat(messages: ChatRequest['messages'], opts: RenderOptions = {}): { prompt: string; think: boolean; lastUser: string } {
    return renderChat(
      messages.map((m) => ({ role: m.role, content: contentText(m.content) })),
      this.ctx.cfg.model,
      opts,
    );
  }

  private async tokenize(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await this.parse(req, res, TokenizeRequestSchema);
    if (!body || !this.modelOk(req, res, body.model)) return;
    let text: string;
    if ('messages' in body && Array.isArray(body.messages)) {
      const addGenerationPrompt = body.add_generation_prompt !== false;
      const continueFinalMessage = body.continue_final_message === true;
      if (addGenerationPrompt && continueFinalMessage) {
        // vLLM's request validator (TokenizeChatRequest / ChatCompletionRequest).
        this.json(
          req,
          res,
          400,
          this.errorBody('Cannot set both `continue_final_message` and `add_generation_prompt` to True.', 'BadRequestError', 400),
        );
        return;
      }
      text = this.renderedChat(body.messages as ChatRequest['messages'], { addGenerationPrompt, continueFinalMessage }).prompt;
    } else text = String(body.prompt);
    const tokens = this.tok.encode(text);
    this.json(req, res, 200, { count: tokens.length, max_model_len: this.ctx.plan.maxModelLen, tokens, token_strs: null });
  }

  private async detokenize(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await this.parse(req, res, DetokenizeRequestSchema);
    if (!body || !this.modelOk(req, res, body.model)) return;
    this.json(req, res, 200, { prompt: this.tok.decode(body.tokens) });
  }

  private async chat(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await this.parse(req, res, ChatRequestSchema);
    if (!body || !this.modelOk(req, res, body.model)) return;
    const r = this.renderedChat(body.messages);
    const promptIds = this.tok.encode(r.prompt);
    this.generate(
      req,
      res,
      'chat',
      body,
      promptIds,
      r.think,
      topicWords(r.lastUser),
      body.max_completion_tokens ?? body.max_tokens ?? null,
    );
  }

  private async completion(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await this.parse(req, res, CompletionRequestSchema);
    if (!body || !this.modelOk(req, res, body.model)) return;
    const p = body.prompt;
    if (Array.isArray(p) && p.length > 1 && (typeof p[0] === 'string' || Array.isArray(p[0]))) {
      this.json(
        req,
        res,
        400,
        this.errorBody('vllm-sim serves one prompt per request (batched prompts are not simulated).', 'BadRequestError', 400),
      );
      return;
    }
    let promptIds: number[];
    let text: string;
    if (typeof p === 'string') {
      text = p;
      promptIds = this.tok.encode(p);
    } else if (typeof p[0] === 'string') {
      text = p[0] as string;
      promptIds = this.tok.encode(text);
    } else if (Array.isArray(p[0])) {
      promptIds = p[0] as number[];
      text = this.tok.decode(promptIds);
    } else {
      promptIds = p as number[];
      text = this.tok.decode(promptIds);
    }
    // Raw prompts think only when they end inside an open think block (thinking-budget clients).
    const think = /<think>\s*$/.test(text);
    this.generate(req, res, 'completion', body, promptIds, think, topicWords(text), body.max_tokens ?? null);
  }

  private generate(
    req: IncomingMessage,
    res: ServerResponse,
    kind: 'chat' | 'completion',
    body: ChatRequest | CompletionRequest,
    promptIds: number[],
    think: boolean,
    topics: string[],
    maxTokensParam: number | null,
  ): void {
    const { cfg, traits, plan, client, log } = this.ctx;
    if (!this.ctx.healthy()) {
      this.json(
        req,
        res,
        500,
        this.errorBody('EngineCore encountered an issue. See stack trace (above) for the root cause.', 'InternalServerError', 500),
      );
      return;
    }
    if (body.n !== undefined && body.n !== null && body.n !== 1) {
      this.json(
        req,
        res,
        400,
        this.errorBody('vllm-sim generates one choice per request (n > 1 is not simulated).', 'BadRequestError', 400, 'n'),
      );
      return;
    }
    const promptLen = promptIds.length;
    const maxLen = plan.maxModelLen;
    const reqIdPrefix = kind === 'chat' ? 'chatcmpl' : 'cmpl';
    const requestId = `${reqIdPrefix}-${randomBytes(16).toString('hex')}`;
    let problem: string | null = null;
    if (promptLen >= maxLen) {
      problem = `This model's maximum context length is ${maxLen} tokens. However, your request has ${promptLen} input tokens. Please reduce the length of the input messages.`;
    } else if (maxTokensParam !== null && (maxTokensParam < 1 || promptLen + maxTokensParam > maxLen)) {
      problem =
        maxTokensParam < 1
          ? `max_tokens must be at least 1, got ${maxTokensParam}.`
          : `'max_tokens' or 'max_completion_tokens' is too large: ${maxTokensParam}. This model's maximum context length is ${maxLen} tokens and your request has ${promptLen} input tokens (${maxTokensParam} > ${maxLen} - ${promptLen}).` +
            (traits.validationErrorClass === 'VLLMValidationError' ? ` (parameter=max_tokens, value=${maxTokensParam})` : '');
    }
    if (problem !== null) {
      const file = kind === 'chat' ? 'serving_chat.py' : 'serving_completion.py';
      const lines = [
        'Error in preprocessing prompt inputs',
        'Traceback (most recent call last):',
        `  File "${cfg.paths.sitePackages}/vllm/entrypoints/openai/${file}", line 317, in create_${kind === 'chat' ? 'chat_completion' : 'completion'}`,
        '    engine_prompts = await self._preprocess_chat(',
        `  File "${cfg.paths.sitePackages}/vllm/entrypoints/openai/serving_engine.py", line 1012, in _validate_input`,
        `    raise ${traits.validationErrorClass}(`,
        `${traits.validationErrorClass === 'VLLMValidationError' ? 'vllm.exceptions.VLLMValidationError' : 'ValueError'}: ${problem}`,
      ];
      log.error(`${file}:${traits.lines.serving_chat_error ?? 331}`, lines.join('\n'));
      this.json(
        req,
        res,
        400,
        this.errorBody(problem, 'BadRequestError', 400, maxTokensParam !== null && promptLen < maxLen ? 'max_tokens' : null),
      );
      return;
    }
    const maxTokens = Math.min(maxTokensParam ?? maxLen - promptLen, maxLen - promptLen);
    const seed = body.seed ?? hashSeed(promptIds);
    const minTokens = body.min_tokens ?? 0;
    let output = new OutputStream({ seed, think, topics, ignoreEos: body.ignore_eos === true });
    let eosAt = output.naturalLength;
    if (minTokens > eosAt) {
      output = new OutputStream({ seed, think, topics, ignoreEos: true });
      eosAt = minTokens;
    }
    const dp = client.pick().dpRank;
    const id = client.newId();
    const stop = body.stop === undefined || body.stop === null ? [] : typeof body.stop === 'string' ? [body.stop] : body.stop;
    const stream = body.stream === true;
    const active = new ActiveRequest({
      id,
      requestId,
      kind,
      res,
      stream,
      includeUsage: stream ? body.stream_options?.include_usage === true || cfg.forceIncludeUsage : true,
      continuousUsage: body.stream_options?.continuous_usage_stats === true,
      modelName: body.model ?? cfg.servedModelNames[0]!,
      created: Math.floor(Date.now() / 1000),
      promptLen,
      maxTokens,
      maxTokensParam,
      output,
      stop: stop.filter((s) => s.length > 0),
      includeStopStr: body.include_stop_str_in_output === true,
      reasoningFields: kind === 'chat' && cfg.reasoningParser ? traits.reasoningFields : [],
      promptTokensDetails: cfg.promptTokensDetails,
      arrival: performance.timeOrigin + performance.now(),
      dp,
    });
    // uvicorn logs the access line when the response starts (streams: right away).
    if (stream) this.access(req, 200);
    else res.once('finish', () => this.access(req, res.statusCode));
    if (cfg.logRequests) log.info('async_llm.py:340', `Added request ${requestId}.`);
    res.on('close', () => {
      if (!active.finished) {
        client.abort(active);
        if (cfg.logRequests) log.info('async_llm.py:444', `Aborted request ${requestId}.`);
      }
    });
    client.add(active, {
      t: 'add',
      id,
      promptLen,
      hashes: plan.prefixCaching ? blockHashes(promptIds, plan.blockSize) : [],
      maxTokens,
      eosAt: Number.isFinite(eosAt) ? eosAt : -1,
    });
  }
}
