/**
 * The version of this copy of vitally-sync: package.json's, read once. The file sits one folder above
 * this one both in the sources (src/) and in the build (dist/).
 */
import { createRequire } from 'node:module';

export const VERSION: string = (createRequire(import.meta.url)('../package.json') as { version: string }).version;
