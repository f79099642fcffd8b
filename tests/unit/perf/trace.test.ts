/**
 * The trace reader's notion of a main-thread task (issue 15): every outermost
 * event of the thread, so that a microtask checkpoint Blink runs as a
 * top-level event of its own counts as a task, as the Long Tasks API counts it.
 */
import { describe, expect, it } from 'vitest';
import { outermost } from '../../../perf/trace';

const ev = (name: string, ts: number, dur: number, tid = 1) => ({ name, pid: 7, tid, ts, dur });

describe('outermost', () => {
  it('keeps top-level tasks of any name and drops what runs inside them', () => {
    const events = [
      ev('ThreadControllerImpl::RunTask', 0, 10),
      ev('BlinkScheduler_PerformMicrotaskCheckpoint', 2, 5), // inside the task
      ev('BlinkScheduler_PerformMicrotaskCheckpoint', 12, 80), // its own top-level event: a long task
      ev('RunMicrotasks', 12, 79),
      ev('ThreadControllerImpl::RunTask', 92, 3),
      ev('ThreadControllerImpl::RunTask', 95, 0),
    ];
    expect(outermost(events).map((e) => [e.name, e.ts])).toEqual([
      ['ThreadControllerImpl::RunTask', 0],
      ['BlinkScheduler_PerformMicrotaskCheckpoint', 12],
      ['ThreadControllerImpl::RunTask', 92],
      ['ThreadControllerImpl::RunTask', 95],
    ]);
  });

  it('takes the longer of two events that start together, whatever their order, and keeps threads apart', () => {
    const events = [ev('inner', 0, 4), ev('outer', 0, 9), ev('other-thread', 3, 2, 2), ev('next', 9, 1)];
    expect(outermost(events).map((e) => e.name)).toEqual(['outer', 'next', 'other-thread']);
  });
});
