/**
 * Pins onnxruntime-node (which transformers.js uses in Node) to one intra-op
 * thread, for the bench only. With its default pool, a thread that waits for
 * its sibling spins on a CPU: when other jobs hold the cores, the spinning
 * burns CPU time, so CPU per token grew 3.5× between two runs at load 10 vs
 * 18 (issue 15). One thread does the same arithmetic without spin-waits, so
 * its CPU time is the work itself. Applied to every session this process
 * (or worker thread) creates afterwards, on both sides of a comparison.
 */
import { InferenceSession } from 'onnxruntime-node';

let pinned = false;

export function pinOrtToOneThread(): void {
  if (pinned) return;
  pinned = true;
  const create = InferenceSession.create.bind(InferenceSession) as (...args: unknown[]) => Promise<InferenceSession>;
  const patched = (...args: unknown[]): Promise<InferenceSession> => {
    // transformers.js calls create(pathOrBuffer, options); other overloads pass through unchanged.
    if (args.length === 2 && typeof args[1] === 'object' && args[1] !== null) {
      return create(args[0], { ...(args[1] as InferenceSession.SessionOptions), intraOpNumThreads: 1, interOpNumThreads: 1 });
    }
    return create(...args);
  };
  (InferenceSession as unknown as { create: typeof patched }).create = patched;
}
