import { describe, expect, it } from 'vitest';
import { renderChat } from './chat-template';

const NEMO = 'nvidia/NVIDIA-Nemotron-Nano-12B-v2';
const convo = [
  { role: 'system', content: '/think' },
  { role: 'user', content: 'What is 2+2?' },
];

describe('renderChat options (thinking-budget continuation, /tokenize with messages)', () => {
  it('adds the generation prompt by default, and leaves it out when asked', () => {
    expect(renderChat(convo, NEMO).prompt).toBe('<SPECIAL_10>System\n\n<SPECIAL_11>User\nWhat is 2+2?\n<SPECIAL_11>Assistant\n<think>\n');
    expect(renderChat(convo, NEMO, { addGenerationPrompt: false }).prompt).toBe('<SPECIAL_10>System\n\n<SPECIAL_11>User\nWhat is 2+2?\n');
  });

  it('continue_final_message: the last assistant message stays open after the think opener', () => {
    const partial = 'Two and two.\n</think>\n\n';
    const r = renderChat([...convo, { role: 'assistant', content: partial }], NEMO, { continueFinalMessage: true });
    expect(r.prompt).toBe(`<SPECIAL_10>System\n\n<SPECIAL_11>User\nWhat is 2+2?\n<SPECIAL_11>Assistant\n<think>\n${partial}`);
    // Without the option the same assistant message is a finished earlier turn (thinking dropped).
    const closed = renderChat([...convo, { role: 'assistant', content: partial }], NEMO).prompt;
    expect(closed).toContain('<SPECIAL_11>Assistant\n\n<SPECIAL_12>\n<SPECIAL_11>Assistant\n<think>\n');
  });

  it('/no_think continuation opens with the empty think block; ChatML models continue the text as is', () => {
    const r = renderChat(
      [
        { role: 'system', content: '/no_think' },
        { role: 'user', content: 'hi' },
        { role: 'assistant', content: 'Hel' },
      ],
      NEMO,
      {
        continueFinalMessage: true,
      },
    );
    expect(r.prompt.endsWith('<SPECIAL_11>Assistant\n<think></think>Hel')).toBe(true);
    const other = renderChat(
      [
        { role: 'user', content: 'hi' },
        { role: 'assistant', content: 'Hel' },
      ],
      'meta-llama/Llama-3.1-8B',
      { continueFinalMessage: true },
    );
    expect(other.prompt).toBe('<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\nHel');
  });
});
