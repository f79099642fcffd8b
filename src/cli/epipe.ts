/**
 * `medfact inspect big.csv | head -1`: once the reader has what it wants it
 * closes the pipe, and the next write fails with EPIPE. That is not an
 * error of ours or of the data, so the program ends at once, silently, with
 * status 0 (as `cat` does under `set -o pipefail` with SIGPIPE ignored),
 * instead of Node's unhandled 'error' stack trace.
 */
export function endQuietlyOnBrokenPipe(streams: readonly NodeJS.WriteStream[] = [process.stdout, process.stderr]): void {
  for (const stream of streams) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      // Whatever the command had decided so far stands (0 unless it already failed).
      if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
      throw error;
    });
  }
}
