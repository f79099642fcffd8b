// Preloaded into the timed `medfact score` child (node --import): writes the
// process's CPU time (user + system, all threads, microseconds) to stderr at
// exit, so the bench can report CPU seconds beside wall time. On a shared
// machine wall time includes time the OS gave to other processes.
// On Linux it also writes the main thread's own CPU time (/proc/self/task/<pid>/stat):
// the command's critical path, once the predictions are read in a worker thread
// beside the dataset import (issue 15); on a quiet machine wall time is close to it.
import { readFileSync } from 'node:fs';

/** utime + stime of the main thread in microseconds, or null off Linux. */
function mainThreadCpuUs() {
  try {
    const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
    // Fields after the command name, which is in parentheses and may hold spaces: state is field 3, utime 14, stime 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    return Number.isFinite(ticks) ? Math.round((ticks * 1e6) / 100) : null; // USER_HZ is 100 on Linux
  } catch {
    return null;
  }
}

/**
 * Time the main thread stood ready in the run queue while the cores ran
 * something else (other processes, or this process's own worker and GC
 * threads), in microseconds (/proc/self/task/<pid>/schedstat), or null.
 */
function mainThreadRunQueueUs() {
  try {
    const [, waitNs] = readFileSync(`/proc/self/task/${process.pid}/schedstat`, 'utf8').trim().split(' ').map(Number);
    return Number.isFinite(waitNs) ? Math.round(waitNs / 1000) : null;
  } catch {
    return null;
  }
}

process.on('exit', () => {
  const { user, system } = process.cpuUsage();
  const main = mainThreadCpuUs();
  const wait = mainThreadRunQueueUs();
  process.stderr.write(
    `\nMEDFACT_BENCH_CPU_US=${user + system}\n${main === null ? '' : `MEDFACT_BENCH_MAIN_CPU_US=${main}\n`}${wait === null ? '' : `MEDFACT_BENCH_MAIN_WAIT_US=${wait}\n`}`,
  );
});
