/**
 * CPU seconds of a process tree, read from /proc (Linux): what a browser
 * measurement's work costs every Chromium process together (browser, renderer,
 * storage, GPU), independent of how much of the machine other jobs took. On a
 * shared 2-core machine wall time mostly measures the other jobs; CPU time
 * does not (issue 15: figures that reproduce). Resolution: one clock tick
 * (10 ms at the usual CLK_TCK of 100). Elsewhere than Linux it returns null
 * and the measurement falls back to wall time.
 */
import { readFileSync, readdirSync } from 'node:fs';

const CLK_TCK = 100;

interface Stat {
  pid: number;
  ppid: number;
  /** utime + stime of the process itself, in ticks. */
  ticks: number;
}

function readStat(pid: number): Stat | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may contain spaces and parentheses: split after its last ')'.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    // fields[0] is field 3 (state): ppid is field 4, utime 14, stime 15.
    return { pid, ppid: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]) };
  } catch {
    return null; // gone meanwhile
  }
}

function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return '';
  }
}

function allStats(): Stat[] {
  let pids: number[];
  try {
    pids = readdirSync('/proc').filter((d) => /^\d+$/.test(d)).map(Number);
  } catch {
    return [];
  }
  return pids.map(readStat).filter((s): s is Stat => s !== null);
}

/** The root process whose command line contains `marker` (e.g. `--user-data-dir=/tmp/…`) and that is not a child of another match. */
export function findProcess(marker: string): number | null {
  const matches = allStats().filter((s) => cmdline(s.pid).includes(marker));
  const pids = new Set(matches.map((s) => s.pid));
  return matches.find((s) => !pids.has(s.ppid))?.pid ?? null;
}

function descendants(root: number): number[] | null {
  const stats = allStats();
  if (!stats.some((s) => s.pid === root)) return null;
  const children = new Map<number, number[]>();
  for (const s of stats) children.set(s.ppid, [...(children.get(s.ppid) ?? []), s.pid]);
  const out: number[] = [];
  const queue = [root];
  for (let pid = queue.pop(); pid !== undefined; pid = queue.pop()) {
    out.push(pid);
    queue.push(...(children.get(pid) ?? []));
  }
  return out;
}

/** CPU seconds (user + system) of `root` and all its living descendants, in clock ticks; null when /proc cannot be read. */
export function treeCpuSeconds(root: number): number | null {
  const pids = descendants(root);
  if (!pids) return null;
  return pids.reduce((sum, pid) => sum + (readStat(pid)?.ticks ?? 0), 0) / CLK_TCK;
}

/** Nanoseconds on a CPU per thread (`pid:tid` → ns) of a process tree, from /proc/<pid>/task/<tid>/schedstat. */
export type CpuSnapshot = Map<string, number>;

export function treeCpuSnapshot(root: number): CpuSnapshot | null {
  const pids = descendants(root);
  if (!pids) return null;
  const snap: CpuSnapshot = new Map();
  for (const pid of pids) {
    let tids: string[];
    try {
      tids = readdirSync(`/proc/${pid}/task`);
    } catch {
      continue; // gone meanwhile
    }
    for (const tid of tids) {
      try {
        const ns = Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
        if (Number.isFinite(ns)) snap.set(`${pid}:${tid}`, ns);
      } catch {
        // thread gone meanwhile
      }
    }
  }
  return snap;
}

/**
 * CPU seconds between two snapshots, thread by thread (a thread that started
 * in between counts from zero; one that ended in between loses its last
 * part, never its whole history). Nanosecond resolution, unlike the 10 ms
 * ticks of /proc/<pid>/stat.
 */
export function cpuSecondsBetween(a: CpuSnapshot, b: CpuSnapshot): number {
  let ns = 0;
  for (const [key, t] of b) ns += Math.max(0, t - (a.get(key) ?? 0));
  return ns / 1e9;
}
