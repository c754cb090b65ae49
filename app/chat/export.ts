// Conversation export as Markdown (readable; reasoning in a <details> block, stats per reply) or
// JSON (the stored conversation, lossless).
import type { ChatMessage, Conversation } from '../contract/index';
import { formatStats } from './stats';

/** A file name from the title: letters, digits, dashes; never empty, never a path. */
export function exportFilename(c: Conversation, ext: 'md' | 'json'): string {
  const base =
    c.title
      .normalize('NFKD')
      .replace(/[^\w\s-]/g, '')
      .trim()
      .replace(/[\s_]+/g, '-')
      .toLowerCase()
      .slice(0, 60)
      .replace(/-+$/, '') || 'conversation';
  return `${base}-${c.id}.${ext}`;
}

/** The longest run of backticks in `s`, plus one: a fence that the text cannot close. */
function fenceFor(s: string): string {
  let max = 2;
  for (const m of s.matchAll(/`+/g)) max = Math.max(max, m[0].length);
  return '`'.repeat(max + 1);
}

function assistantHeading(m: ChatMessage): string {
  const bits = [m.lane ? `side by side: ${m.lane === 'think' ? '/think' : '/no_think'}` : m.mode ? `/${m.mode}` : '', m.stats?.model ?? '']
    .filter(Boolean)
    .join(' · ');
  return bits ? `## Assistant (${bits})` : '## Assistant';
}

export function toMarkdown(c: Conversation, exportedAt: number): string {
  const out: string[] = [`# ${c.title}`, '', `_Exported from vLLM Panel on ${new Date(exportedAt).toISOString()}_`, ''];
  if (c.settings.systemPrompt.trim()) {
    const fence = fenceFor(c.settings.systemPrompt);
    out.push('**System prompt**', '', `${fence}text`, c.settings.systemPrompt, fence, '');
  }
  for (const m of c.messages) {
    if (m.role === 'user') {
      out.push('## User', '', m.content, '');
      continue;
    }
    out.push(assistantHeading(m), '');
    if (m.reasoning) {
      out.push('<details><summary>Thinking</summary>', '', m.reasoning, '', '</details>', '');
    }
    if (m.content) out.push(m.content, '');
    if (m.status === 'aborted') out.push('_(stopped)_', '');
    if (m.status === 'error' && m.error) out.push(`_Error: ${m.error.message}_`, '');
    if (m.stats) out.push(`_${formatStats(m.stats)}_`, '');
  }
  return `${out.join('\n').trimEnd()}\n`;
}

export function toJson(c: Conversation): string {
  return `${JSON.stringify(c, null, 2)}\n`;
}
