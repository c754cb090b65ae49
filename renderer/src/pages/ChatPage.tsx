import { EmptyState } from '../components/EmptyState';
import { ChatIcon } from '../components/icons';
import { Page } from './Page';

export function ChatPage() {
  return (
    <Page id="chat" title="Chat" subtitle="Talk to the model you launched, or any OpenAI-compatible server.">
      <EmptyState
        icon={<ChatIcon />}
        title="No conversation yet"
        testId="chat-empty"
        items={[
          'Streaming replies with Markdown and code blocks; stop, retry, edit and copy',
          'A Think / No-think switch, with the model’s reasoning shown apart from its answer',
          'A thinking budget, and side-by-side replies with and without thinking',
          'Per reply: time to first token, tokens/s and token counts',
        ]}
        hint="Conversations appear here once a server is ready."
      >
        Check that the server answers, and see how fast.
      </EmptyState>
    </Page>
  );
}
