/**
 * perf/process-cpu.ts reads a process tree's CPU time from /proc (Linux): the
 * runner's items per CPU-second rest on it. It finds a real child process by a
 * command-line marker, counts the child inside its parent's tree, and never
 * goes backwards. No timing thresholds: CPU time only has to be a number that
 * does not decrease.
 */
import { spawn } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { cpuSecondsBetween, findProcess, treeCpuSeconds, treeCpuSnapshot } from '../../../perf/process-cpu';

const marker = `medfact-cpu-probe-${process.pid}-${Date.now()}`;
const child = spawn(process.execPath, ['-e', 'setInterval(() => { for (let i = 0; i < 1e5; i++); }, 5)', marker], { stdio: 'ignore' });
afterAll(() => {
  child.kill('SIGTERM');
});

describe.runIf(process.platform === 'linux')('process tree CPU time', () => {
  it('finds a process by a marker on its command line and reads a non-decreasing CPU time for it and its parent tree', async () => {
    // The child needs a moment to exec before its command line shows the marker.
    let pid: number | null = null;
    for (let i = 0; i < 100 && pid === null; i++) {
      pid = findProcess(marker);
      if (pid === null) await new Promise((r) => setTimeout(r, 50));
    }
    expect(pid).toBe(child.pid);
    const a = treeCpuSeconds(pid as number);
    expect(a).not.toBeNull();
    const parentA = treeCpuSeconds(process.pid) as number;
    // The parent's tree includes the child.
    expect(parentA).toBeGreaterThanOrEqual(a as number);
    await new Promise((r) => setTimeout(r, 200));
    expect(treeCpuSeconds(pid as number) as number).toBeGreaterThanOrEqual(a as number);
    // Per-thread snapshots (ns): the child's main thread is in it, and the time between two snapshots is not negative.
    const s0 = treeCpuSnapshot(pid as number);
    expect([...(s0?.keys() ?? [])]).toContain(`${pid}:${pid}`);
    await new Promise((r) => setTimeout(r, 100));
    const s1 = treeCpuSnapshot(pid as number);
    expect(cpuSecondsBetween(s0 as Map<string, number>, s1 as Map<string, number>)).toBeGreaterThanOrEqual(0);
    // A thread that ended in between loses only its last part: the delta never goes below zero.
    expect(cpuSecondsBetween(new Map([['1:1', 5e9]]), new Map([['1:2', 1e6]]))).toBe(0.001);
    expect(treeCpuSnapshot(2 ** 22 + 12345)).toBeNull();
    expect(findProcess(`${marker}-no-such-process`)).toBeNull();
    expect(treeCpuSeconds(2 ** 22 + 12345)).toBeNull();
  });
});
