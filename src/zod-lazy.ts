/**
 * zod, loaded on first use. A push whose rows are all valid never needs it (validate() checks plain
 * code first, and the config-file schema is only built when a config file is read), and loading it costs
 * about 15 MiB of memory and 50 ms of start-up. Loaded through require so that the synchronous paths that
 * use it (validate, parseConfig) stay synchronous; every user goes through here, so one copy is loaded.
 */
import { createRequire } from 'node:module';
import type { z as Z } from 'zod';

let loaded: typeof Z | undefined;

export function zod(): typeof Z {
  return (loaded ??= (createRequire(import.meta.url)('zod') as { z: typeof Z }).z);
}
