/**
 * Temporary folders of a test file: every one made here is removed after the file's last test (the setup
 * file registers the hook), so a test run leaves nothing behind in the system's temporary folder.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const made: string[] = [];

/** A new folder under the system's temporary folder, removed after the test file. */
export function makeTempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `vitally-sync-${prefix}-`));
  made.push(dir);
  return dir;
}

/** Remove every folder made so far (the setup file's afterAll). */
export function removeTempDirs(): void {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
}
