// Preloaded into the timed `medfact score` child (node --import): writes the
// process's CPU time (user + system, all threads, microseconds) to stderr at
// exit, so the bench can report CPU seconds beside wall time. On a shared
// machine wall time includes time the OS gave to other processes.
process.on('exit', () => {
  const { user, system } = process.cpuUsage();
  process.stderr.write(`\nMEDFACT_BENCH_CPU_US=${user + system}\n`);
});
