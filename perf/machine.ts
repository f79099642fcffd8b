/** What the figures were measured on (for the report's header and JSON). */
import { execFile } from 'node:child_process';
import { cpus, platform, release, totalmem, type as osType } from 'node:os';
import { promisify } from 'node:util';
import type { MachineInfo } from './types';

const run = promisify(execFile);

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export async function chromiumVersion(path = CHROMIUM_PATH): Promise<string | null> {
  try {
    const { stdout } = await run(path, ['--version'], { timeout: 10_000 });
    return stdout.trim() || null;
  } catch {
    return null;
  }
}

export async function machineInfo(): Promise<MachineInfo> {
  const list = cpus();
  return {
    cpu: list[0]?.model.trim() ?? 'unknown',
    cores: list.length,
    memoryGiB: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
    os: `${osType()} ${release()} (${platform()})`,
    node: process.version,
    chromium: await chromiumVersion(),
  };
}
