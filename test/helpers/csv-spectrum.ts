/**
 * Where the csv-spectrum conformance corpus is: ../shared/testdata/csv-spectrum, beside the project. A
 * checkout without ../shared skips its tests; with ../shared present, a missing corpus fails them.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const shared = resolve(dirname(fileURLToPath(import.meta.url)), '../../../shared');

/** ../shared is beside the project: the corpus must be in it. */
export const sharedPresent = existsSync(shared);
export const spectrumDir = join(shared, 'testdata', 'csv-spectrum');
/** The corpus has its csvs/ and json/ folders. */
export const spectrumPresent = existsSync(join(spectrumDir, 'csvs')) && existsSync(join(spectrumDir, 'json'));

if (!sharedPresent) console.warn(`${shared} is not there: the csv-spectrum conformance tests are skipped`);
