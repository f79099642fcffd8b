// The calibration workload (perf/calibrate.ts explains the choice), run in a
// fresh Node process so that the bench process's own state (a heap grown by
// the measurements before, its JIT) cannot move the reading: only the host's
// speed does. `node perf/workers/calibrate.mjs [samples]` prints
// {"samples":[cpuMs, …]} after one warm-up sample. Plain JavaScript, no
// imports from the project: it starts in a few tens of milliseconds.

/** CPU milliseconds (user + system) of `work`. */
function cpuMs(work) {
  const c0 = process.cpuUsage();
  work();
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / 1000;
}

const stream = new Float64Array(4 * 1024 * 1024).fill(1);

/** Memory streaming: three read-modify-write passes over 32 MB (bandwidth, last-level cache). */
function streamPasses() {
  let sum = 0;
  for (let pass = 0; pass < 3; pass++) {
    for (let i = 0; i < stream.length; i++) {
      const v = stream[i] * 0.5 + (i & 7);
      stream[i] = v;
      sum += v;
    }
  }
  return sum;
}

const jsonText = JSON.stringify(
  Array.from({ length: 40_000 }, (_, i) => ({ id: `s${i}`, text: '患者服用阿莫西林胶囊每日三次'.repeat(3), n: i, ok: i % 2 === 0 })),
);

/** Allocation and GC: JSON.parse of 40,000 small records with Chinese text (the shape of a dataset row). */
function parseRecords() {
  return JSON.parse(jsonText).length;
}

/** One sample, in CPU ms: the geometric mean of the two parts. */
function sample() {
  return Math.sqrt(cpuMs(streamPasses) * cpuMs(parseRecords));
}

const count = Math.max(1, Math.min(50, Number(process.argv[2]) || 5));
sample(); // warm-up: JIT, page faults of the buffers
const samples = Array.from({ length: count }, sample);
process.stdout.write(`${JSON.stringify({ samples })}\n`);
