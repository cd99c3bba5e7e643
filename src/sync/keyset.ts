/**
 * The keys seen in a run, to catch a key that appears twice in one file, in memory that grows by 16 to 24
 * bytes a key: typed arrays of 12 bytes a slot, at most three quarters full, growing by half; no string is
 * kept. The set is split into 64 tables that grow one at a time, so growing never holds two copies of the
 * whole set at once. Keys are remembered by a 64-bit hash (two independent 32-bit FNV-1a lanes): two
 * different keys are taken for one with a probability below 1e-7 for a million keys.
 */

function hashLanes(s: string): [number, number] {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
    b ^= b >>> 15;
  }
  return [a >>> 0, (b >>> 0) | 0];
}

/** One open-addressing table: 12 bytes a slot, at most three quarters full, growing by half. */
class Table {
  private hi: Uint32Array;
  private lo: Int32Array;
  private rows: Uint32Array;
  count = 0;

  constructor(capacity: number) {
    this.hi = new Uint32Array(capacity);
    this.lo = new Int32Array(capacity);
    this.rows = new Uint32Array(capacity);
  }

  add(h: number, l: number, row: number): number | undefined {
    if ((this.count + 1) * 4 > this.rows.length * 3) this.grow();
    const size = this.rows.length;
    for (let i = ((h ^ l) >>> 0) % size; ; i = i + 1 === size ? 0 : i + 1) {
      const r = this.rows[i]!;
      if (r === 0) {
        this.hi[i] = h;
        this.lo[i] = l;
        this.rows[i] = row;
        this.count++;
        return undefined;
      }
      if (this.hi[i] === h && this.lo[i] === l) return r;
    }
  }

  private grow(): void {
    const { hi, lo, rows } = this;
    const size = Math.max(8, Math.ceil(rows.length * 1.5));
    this.hi = new Uint32Array(size);
    this.lo = new Int32Array(size);
    this.rows = new Uint32Array(size);
    for (let j = 0; j < rows.length; j++) {
      if (rows[j] === 0) continue;
      let i = ((hi[j]! ^ lo[j]!) >>> 0) % size;
      while (this.rows[i] !== 0) i = i + 1 === size ? 0 : i + 1;
      this.hi[i] = hi[j]!;
      this.lo[i] = lo[j]!;
      this.rows[i] = rows[j]!;
    }
  }
}

/** Tables a set is split into, by the top bits of the hash: each grows alone, so a copy is never large. */
const SHARD_BITS = 6;

export class KeySet {
  private readonly tables: Table[];

  /** `capacity`: the slots to start with, spread over the tables. */
  constructor(capacity = 1024) {
    const per = Math.max(8, Math.ceil(capacity / (1 << SHARD_BITS)));
    this.tables = Array.from({ length: 1 << SHARD_BITS }, () => new Table(per));
  }

  get size(): number {
    let n = 0;
    for (const t of this.tables) n += t.count;
    return n;
  }

  /** Remember `key` first seen at `row` (1-based); returns the earlier row when the key was seen before. */
  add(key: string, row: number): number | undefined {
    const [h, l] = hashLanes(key);
    return this.tables[h >>> (32 - SHARD_BITS)]!.add(h, l, row);
  }
}
