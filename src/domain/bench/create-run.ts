/** A new run record, before anything has run (state `paused` until a loop picks it up). */
import { RUN_RECORD_VERSION, type ItemSelection, type RunConfig, type RunRecord } from '../../core/run-record';

export interface NewRunInput {
  id?: string;
  name: string;
  datasetId: string;
  datasetHash: string;
  selection: ItemSelection;
  itemIds: string[];
  config: RunConfig | null;
  origin?: RunRecord['origin'];
  now?: number;
}

export function newRunId(): string {
  return globalThis.crypto?.randomUUID?.() ?? `run-${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
}

export function newRunRecord(input: NewRunInput): RunRecord {
  const now = input.now ?? Date.now();
  return {
    v: RUN_RECORD_VERSION,
    id: input.id ?? newRunId(),
    name: input.name,
    createdAt: now,
    updatedAt: now,
    heartbeatAt: now,
    state: 'paused',
    origin: input.origin ?? 'local',
    datasetId: input.datasetId,
    datasetHash: input.datasetHash,
    selection: input.selection,
    itemIds: [...input.itemIds],
    config: input.config,
    provenance: null,
    counts: { total: input.itemIds.length, stored: 0, done: 0, failed: 0 },
  };
}
