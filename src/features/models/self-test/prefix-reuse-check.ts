/**
 * Prefix-reuse check (issue 15): an engine that reuses the keys/values of a
 * shared prompt prefix (the verifier's system prompt) must give exactly the
 * output it gives when it computes every prompt in full. The self-test's
 * prompts share the zero-shot system prompt, so from the second prompt on the
 * engine reuses it; this check generates each prompt again with reuse off for
 * the call (`prefixReuse: false`) and compares the texts character for
 * character, with the prompt tokens computed each way. Greedy decoding, so any
 * difference is a cache bug (or a kernel that is not deterministic on this
 * device), and it is shown per device, on the machine that has it.
 */
import type { ModelEngine } from '../../../protocol/engine';
import { AbortError, isAbortError, serializeError, throwIfAborted, toMedfactError, type SerializedError } from '../../../protocol/errors';
import type { SelfTestPrompt } from './prompts';

export interface PrefixReusePrompt {
  promptId: string;
  identical: boolean;
  /** Prompt tokens computed with reuse (as generated in the self-test's prompt run) and without. */
  prefillOn: number;
  prefillOff: number;
}

export interface PrefixReuseCheck {
  prompts: PrefixReusePrompt[];
  prefillOn: number;
  prefillOff: number;
  /** Every output identical and reuse saved prompt tokens; false otherwise (or when the check failed to run). */
  passed: boolean;
  error?: SerializedError;
}

/** An output of the prompt run, with reuse on: its text and the prompt tokens the engine computed. */
export interface ReusedOutput {
  promptId: string;
  text: string;
  promptTokens: number;
  prefillTokens?: number;
}

export async function runPrefixReuseCheck(
  engine: ModelEngine,
  prompts: readonly SelfTestPrompt[],
  withReuse: readonly ReusedOutput[],
  opts: { maxTokens: number; signal?: AbortSignal },
): Promise<PrefixReuseCheck> {
  const check: PrefixReuseCheck = { prompts: [], prefillOn: 0, prefillOff: 0, passed: false };
  const call = opts.signal ? { signal: opts.signal } : {};
  try {
    for (const prompt of prompts) {
      const on = withReuse.find((o) => o.promptId === prompt.id);
      if (!on) continue;
      throwIfAborted(opts.signal);
      const off = await engine.generate({ messages: prompt.messages, maxTokens: opts.maxTokens, temperature: 0, thinking: false, prefixReuse: false }, call);
      const row: PrefixReusePrompt = {
        promptId: prompt.id,
        identical: off.text === on.text,
        prefillOn: on.prefillTokens ?? on.promptTokens,
        prefillOff: off.prefillTokens ?? off.promptTokens,
      };
      check.prompts.push(row);
      check.prefillOn += row.prefillOn;
      check.prefillOff += row.prefillOff;
    }
    check.passed = check.prompts.length > 0 && check.prompts.every((p) => p.identical) && check.prefillOn < check.prefillOff;
  } catch (error) {
    if (isAbortError(error) || opts.signal?.aborted) throw new AbortError();
    check.error = serializeError(toMedfactError(error));
  }
  return check;
}
