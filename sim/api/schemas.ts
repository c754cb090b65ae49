// Request bodies of the OpenAI-compatible endpoints the simulator serves, validated with zod at
// the HTTP boundary. Unknown fields pass (vLLM accepts many extra sampling parameters); the fields
// that change the simulator's behaviour are typed.
import { z } from 'zod';

const ContentPart = z.object({ type: z.string(), text: z.string().optional() }).passthrough();
export const ChatMessageSchema = z
  .object({
    role: z.string().min(1),
    content: z.union([z.string(), z.array(ContentPart), z.null()]).optional(),
  })
  .passthrough();

const Common = {
  model: z.string().nullish(),
  stream: z.boolean().nullish(),
  stream_options: z.object({ include_usage: z.boolean().nullish(), continuous_usage_stats: z.boolean().nullish() }).passthrough().nullish(),
  max_tokens: z.number().int().nullish(),
  stop: z.union([z.string(), z.array(z.string())]).nullish(),
  seed: z.number().int().nullish(),
  n: z.number().int().nullish(),
  temperature: z.number().nullish(),
  top_p: z.number().nullish(),
  ignore_eos: z.boolean().nullish(),
  min_tokens: z.number().int().nonnegative().nullish(),
  include_stop_str_in_output: z.boolean().nullish(),
};

export const ChatRequestSchema = z
  .object({
    ...Common,
    messages: z.array(ChatMessageSchema).min(1),
    max_completion_tokens: z.number().int().nullish(),
  })
  .passthrough();
export type ChatRequest = z.infer<typeof ChatRequestSchema>;

export const CompletionRequestSchema = z
  .object({
    ...Common,
    prompt: z.union([z.string(), z.array(z.string()).min(1), z.array(z.number().int()).min(1), z.array(z.array(z.number().int())).min(1)]),
  })
  .passthrough();
export type CompletionRequest = z.infer<typeof CompletionRequestSchema>;

export const TokenizeRequestSchema = z.union([
  z.object({ model: z.string().nullish(), prompt: z.string(), add_special_tokens: z.boolean().nullish() }).passthrough(),
  z
    .object({
      model: z.string().nullish(),
      messages: z.array(ChatMessageSchema).min(1),
      add_generation_prompt: z.boolean().nullish(),
      // vLLM's TokenizeChatRequest: continue the final (assistant) message instead of opening a
      // new turn — what a thinking-budget client renders its continuation prompt with.
      continue_final_message: z.boolean().nullish(),
    })
    .passthrough(),
]);

export const DetokenizeRequestSchema = z
  .object({ model: z.string().nullish(), tokens: z.array(z.number().int().nonnegative()) })
  .passthrough();

/** Text of a message's content (string, or the text parts of a list). */
export function contentText(content: z.infer<typeof ChatMessageSchema>['content']): string {
  if (typeof content === 'string') return content;
  if (!content) return '';
  return content
    .filter((p) => p.type === 'text' && typeof p.text === 'string')
    .map((p) => p.text)
    .join('\n');
}

/** pydantic-like one-line description of the first validation issue. */
export function describeIssues(error: z.ZodError): string {
  const i = error.issues[0];
  if (!i) return 'Invalid request';
  const loc = ['body', ...i.path.map(String)].map((p) => `'${p}'`).join(', ');
  return `[{'type': '${i.code}', 'loc': (${loc}), 'msg': '${i.message.replaceAll("'", '"')}'}]`;
}
