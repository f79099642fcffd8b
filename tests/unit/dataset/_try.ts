import { openAsBlob } from 'node:fs';
import { importDataset } from '../../../src/core/dataset/import-dataset';
const blob = await openAsBlob('/work/shared/data/medec/MEDEC-MS-ValidationSet-with-GroundTruth-and-ErrorType.csv');
const t = Date.now();
const r = await importDataset(blob, { fileName: 'medec.csv' });
console.log(Date.now() - t, 'ms');
const { items, ...rest } = r;
console.log(JSON.stringify({ ...rest, warnings: rest.warnings.slice(0, 10), rejected: rest.rejected.slice(0, 10) }, null, 1));
console.log(JSON.stringify(items[0]).slice(0, 600));
