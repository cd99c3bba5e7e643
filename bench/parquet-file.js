// Writes the Parquet file of the source benchmarks: `node bench/parquet-file.js <path> <rows>`.
import { parquetWriteFile } from 'hyparquet-writer';

const PLANS = ['starter', 'growth', 'enterprise'];

/** The same accounts as the CSV benchmark, typed: mrr a DOUBLE, seats an INT32, nextRenewalDate a DATE. */
export function writeAccounts(path, rows) {
  const col = (f) => Array.from({ length: rows }, (_, i) => f(i + 1));
  parquetWriteFile({
    filename: path,
    codec: 'SNAPPY',
    columnData: [
      { name: 'externalId', data: col((i) => `acc-${i}`) },
      { name: 'name', data: col((i) => `Account ${i}, Inc`) },
      { name: 'mrr', data: col((i) => (i % 1000) + 0.5) },
      { name: 'seats', data: col((i) => i % 500) },
      { name: 'plan', data: col((i) => PLANS[i % 3]) },
      { name: 'nextRenewalDate', data: col((i) => Date.UTC(2027, i % 9, 15) / 86400000) },
      { name: 'notes', data: col(() => 'said "hi" on a call') },
    ],
    schema: [
      { name: 'root', num_children: 7 },
      { name: 'externalId', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'REQUIRED' },
      { name: 'name', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'REQUIRED' },
      { name: 'mrr', type: 'DOUBLE', repetition_type: 'REQUIRED' },
      { name: 'seats', type: 'INT32', repetition_type: 'REQUIRED' },
      { name: 'plan', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'REQUIRED' },
      { name: 'nextRenewalDate', type: 'INT32', converted_type: 'DATE', repetition_type: 'REQUIRED' },
      { name: 'notes', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'REQUIRED' },
    ],
  });
}

writeAccounts(process.argv[2], Number(process.argv[3]));
