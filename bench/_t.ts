import { startupMeasurement } from './startup';
for (const r of await startupMeasurement.run({ quick: true, skipBrowser: false, root: '/work/main', log: console.log })) console.log(r.name, r.value, r.note ?? '');
