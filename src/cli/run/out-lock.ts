/**
 * One writer per output folder. A run takes `<out>/.lock` (its pid) before
 * touching predictions.jsonl; a second run on the same folder is refused
 * while that process lives (for example a child left running after its
 * `npm run` wrapper was killed), so two writers can never duplicate items.
 * A lock whose process is gone (kill -9) is taken over.
 */
import { rmSync } from 'node:fs';
import { open, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { MedfactError } from '../../protocol/errors';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export async function lockOutDir(dir: string): Promise<() => Promise<void>> {
  const path = join(dir, '.lock');
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fh = await open(path, 'wx');
      await fh.writeFile(String(process.pid));
      await fh.close();
      let released = false;
      const releaseSync = (): void => {
        if (released) return;
        released = true;
        try {
          rmSync(path, { force: true });
        } catch {
          // best effort at exit
        }
      };
      process.once('exit', releaseSync);
      return async () => {
        if (released) return;
        released = true;
        process.off('exit', releaseSync);
        await rm(path, { force: true });
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const pid = Number((await readFile(path, 'utf8').catch(() => '')).trim());
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && alive(pid)) {
        throw new MedfactError('BAD_INPUT', `Another medfact run (pid ${pid}) is writing to ${dir}. Wait for it or stop it, then run again.`);
      }
      await rm(path, { force: true }); // left by a run that was killed
    }
  }
  throw new MedfactError('STORAGE', `Cannot lock ${dir} for this run.`);
}
