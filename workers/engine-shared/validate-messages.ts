/**
 * The adapters' shared check of chat messages before a model sees them (the
 * worker protocol validated the shape already; an in-process engine, as in
 * the CLI, gets its params unchecked).
 */
import type { ChatMessage } from '../../src/protocol/engine';
import { MedfactError } from '../../src/protocol/errors';

export function validateMessages(messages: ChatMessage[]): void {
  if (!Array.isArray(messages) || messages.length === 0) {
    throw new MedfactError('BAD_INPUT', 'A generation needs at least one chat message.');
  }
  for (const m of messages) {
    if (!m || typeof m.content !== 'string' || !['system', 'user', 'assistant'].includes(m.role)) {
      throw new MedfactError('BAD_INPUT', 'Each chat message needs a role (system, user, assistant) and text content.');
    }
  }
}
