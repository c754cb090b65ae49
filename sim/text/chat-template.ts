// Prompt rendering for chat requests, so prompt token counts (usage, /tokenize with `messages`,
// the max-model-len check) are computed from a realistic templated prompt.
//
// Nemotron-Nano-v2 (nemotron.md §3): `/think` or `/no_think` in a system or user message, the
// last one wins, reasoning is ON by default, and the keywords are removed from the text the model
// sees. The assistant turn starts with `<think>\n` (reasoning on) or `<think></think>` (off).
// Previous assistant turns keep only the part after `</think>`.
// Other models get a ChatML-style template and no thinking unless a message says `/think`.

export interface ChatMessage {
  role: string;
  content: string;
}

export interface RenderedChat {
  prompt: string;
  think: boolean;
  /** Text the topic words are taken from (last user message, keywords removed). */
  lastUser: string;
}

const KEYWORD_RE = /\/(no_think|think)\b/g;

/** Decides thinking for a conversation: last `/think` / `/no_think` in system or user messages wins. */
export function thinkingMode(messages: readonly ChatMessage[], defaultOn: boolean): boolean {
  let mode = defaultOn;
  for (const m of messages) {
    if (m.role !== 'system' && m.role !== 'user') continue;
    for (const k of m.content.matchAll(KEYWORD_RE)) mode = k[1] === 'think';
  }
  return mode;
}

function stripKeywords(s: string): string {
  return s.replace(KEYWORD_RE, '').trim();
}

export function isNemotron(model: string): boolean {
  return /nemotron/i.test(model);
}

export interface RenderOptions {
  /** Open the assistant turn at the end (vLLM's default for chat requests and /tokenize). */
  addGenerationPrompt?: boolean;
  /**
   * HF `continue_final_message`: the last message is an assistant message left open, so the model
   * continues it (thinking-budget clients, nemotron.md §3). For Nemotron the open turn is rendered
   * as the generation prompt followed by the message's text; the real template's exact handling of
   * a continued turn is unverified, the shape (turn opened, text appended, nothing closed) is HF's.
   */
  continueFinalMessage?: boolean;
}

export function renderChat(messages: readonly ChatMessage[], model: string, opts: RenderOptions = {}): RenderedChat {
  const nemotron = isNemotron(model);
  const think = thinkingMode(messages, nemotron);
  const last = messages[messages.length - 1];
  const cont = opts.continueFinalMessage === true && last?.role === 'assistant' ? last : undefined;
  const addPrompt = cont === undefined && opts.addGenerationPrompt !== false;
  const turns = cont ? messages.slice(0, -1) : messages;
  let lastUser = '';
  let prompt = '';
  if (nemotron) {
    const sys = messages.filter((m) => m.role === 'system').map((m) => stripKeywords(m.content));
    prompt += `<SPECIAL_10>System\n${sys.join('\n')}\n`;
    for (const m of turns) {
      if (m.role === 'system') continue;
      if (m.role === 'user') {
        lastUser = stripKeywords(m.content);
        prompt += `<SPECIAL_11>User\n${lastUser}\n`;
      } else if (m.role === 'assistant') {
        const i = m.content.lastIndexOf('</think>');
        prompt += `<SPECIAL_11>Assistant\n${(i >= 0 ? m.content.slice(i + 8) : m.content).trim()}\n<SPECIAL_12>\n`;
      } else {
        prompt += `<SPECIAL_11>${m.role[0]!.toUpperCase()}${m.role.slice(1)}\n${m.content}\n`;
      }
    }
    const open = think ? '<SPECIAL_11>Assistant\n<think>\n' : '<SPECIAL_11>Assistant\n<think></think>';
    if (cont) prompt += cont.content.startsWith('<think>') ? `<SPECIAL_11>Assistant\n${cont.content}` : open + cont.content;
    else if (addPrompt) prompt += open;
  } else {
    for (const m of turns) {
      const content = m.role === 'system' || m.role === 'user' ? stripKeywords(m.content) : m.content;
      if (m.role === 'user') lastUser = content;
      prompt += `<|im_start|>${m.role}\n${content}<|im_end|>\n`;
    }
    if (cont) prompt += `<|im_start|>assistant\n${cont.content}`;
    else if (addPrompt) prompt += think ? '<|im_start|>assistant\n<think>\n' : '<|im_start|>assistant\n';
  }
  return { prompt, think, lastUser };
}
