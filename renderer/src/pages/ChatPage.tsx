import { ChatView } from '../features/chat/ChatView';
import { Page } from './Page';

export function ChatPage() {
  return (
    <Page id="chat" title="Chat" subtitle="Talk to the model you launched, or any OpenAI-compatible server.">
      <ChatView />
    </Page>
  );
}
