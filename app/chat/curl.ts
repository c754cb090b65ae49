// "Copy as curl": the request exactly as the panel sends it (URL, JSON body, the headers that
// matter), as a POSIX shell command. The API key is redacted by default: the Authorization header
// then reads the key from $VLLM_API_KEY, so the command still runs once the variable is set.
import type { RecordedRequest } from '../contract/index';

export const KEY_PLACEHOLDER = '$VLLM_API_KEY';

/** Single-quotes a word for sh/bash/zsh: nothing inside is expanded. */
export function shellQuote(s: string): string {
  return `'${s.replaceAll("'", `'\\''`)}'`;
}

export function renderCurl(req: RecordedRequest, apiKey: string | undefined, revealKey: boolean): { command: string; redacted: boolean } {
  const lines = [`curl -sS -N ${shellQuote(req.url)}`, `-H ${shellQuote('Content-Type: application/json')}`];
  let redacted = false;
  if (req.auth || apiKey) {
    if (revealKey && apiKey) lines.push(`-H ${shellQuote(`Authorization: Bearer ${apiKey}`)}`);
    else {
      // Double quotes only around the variable: the shell expands it, nothing else is exposed.
      lines.push(`-H "Authorization: Bearer ${KEY_PLACEHOLDER}"`);
      redacted = true;
    }
  }
  // The body exactly as JSON.stringify sends it (the openai client serialises the same way).
  lines.push(`-d ${shellQuote(JSON.stringify(req.body))}`);
  return { command: lines.join(' \\\n  '), redacted };
}
