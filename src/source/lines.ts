/** Counting the non-empty lines of a file with a byte scan (no parsing): the progress bar's estimate. */
import { createReadStream } from 'node:fs';
import { isGzip } from './decode.js';

/** Non-empty lines in a file (a CRLF counts as one break); null if it cannot be read, or is gzip-compressed. */
export async function countLines(path: string, signal?: AbortSignal): Promise<number | null> {
  let lines = 0;
  // The last two bytes seen: a line is blank when its break follows a break (or \r after a break).
  let b1 = 10;
  let b2 = 10;
  try {
    const stream = createReadStream(path, { highWaterMark: 1 << 20, ...(signal ? { signal } : {}) });
    let first = true;
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      // Compressed bytes say nothing of the lines they hold.
      if (first && isGzip(chunk)) {
        stream.destroy();
        return null;
      }
      first = false;
      for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) {
        const p1 = i >= 1 ? chunk[i - 1]! : b1;
        const p2 = i >= 2 ? chunk[i - 2]! : i === 1 ? b1 : b2;
        if (p1 !== 10 && !(p1 === 13 && p2 === 10)) lines++;
      }
      if (chunk.length >= 2) [b2, b1] = [chunk[chunk.length - 2]!, chunk[chunk.length - 1]!];
      else if (chunk.length === 1) [b2, b1] = [b1, chunk[0]!];
    }
  } catch {
    return null;
  }
  if (b1 !== 10) lines++; // the last line has no line break
  return lines;
}
