import { runnerThroughputMeasurement } from './runner-throughput';
for (const r of await runnerThroughputMeasurement.run({ quick: false, skipBrowser: false, root: '/work/main', log: console.log })) console.log(r.name, r.value, r.note ?? '');
