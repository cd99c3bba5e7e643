/**
 * A corpus of malformed inputs, generated (nothing large is checked in). Each case is a file between
 * good rows, and says what must come of it: the exit codes allowed, the good rows that must be sent,
 * and, where the read must stop early, the rows it never reaches. The suite (corpus.test.ts) runs each
 * through `push --dry-run` and a real push; bench/fuzz.js measures the large ones' peak memory.
 */

export interface FuzzCase {
  name: string;
  object: 'account' | 'note' | 'event';
  /** The file's name (its extension picks the reader). */
  file: string;
  content: () => Buffer;
  args?: string[];
  /** Exit codes allowed (never 70). */
  codes: number[];
  /** Keys of rows that must be sent (ok), for keyed objects. */
  good: string[];
  /** How many rows must fail, each with a reason. */
  failed: number;
  /** Text the failures (or the stop) must say. */
  says?: string[];
  /** Keys that come after a point the read cannot pass: never read, so never sent. */
  unread?: string[];
  /** Large: measured by bench/fuzz.js too. */
  large?: boolean;
}

const MiB = 1024 * 1024;
const b = (s: string) => Buffer.from(s);
const csv = (...lines: string[]) => b(`${lines.join('\n')}\n`);
const ndjson = (...values: Array<string | object>) => b(`${values.map((v) => (typeof v === 'string' ? v : JSON.stringify(v))).join('\n')}\n`);
const good = (i: number) => `good-${i},Good ${i}`;
const goodJson = (i: number) => ({ externalId: `good-${i}`, name: `Good ${i}` });

/** A seeded generator (xorshift32): the same garbage on every run. */
function bytes(n: number, seed: number, pick?: string): Buffer {
  let x = seed;
  const out = Buffer.alloc(n);
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    const r = x >>> 0;
    out[i] = pick ? pick.charCodeAt(r % pick.length) : r & 0xff;
  }
  return out;
}

export const CORPUS: FuzzCase[] = [
  {
    name: 'csv: an unterminated quote',
    object: 'account',
    file: 'quote.csv',
    content: () => csv('externalId,name', good(1), good(2), 'bad,"never closed', good(3)),
    codes: [1],
    good: ['good-1', 'good-2'],
    failed: 1,
    says: ['unclosed quoted field starting at line 4'],
    unread: ['good-3'],
  },
  {
    name: 'csv: NUL bytes in a record',
    object: 'account',
    file: 'nul.csv',
    content: () => csv('externalId,name', good(1), 'bad,Nu\u0000ll', good(2)),
    codes: [1],
    good: ['good-1', 'good-2'],
    failed: 1,
    says: ['holds a NUL byte'],
  },
  {
    name: 'csv: 10,000 columns',
    object: 'account',
    file: 'wide.csv',
    content: () => {
      const names = Array.from({ length: 9998 }, (_, i) => `c${i + 1}`);
      const row = (i: number) => `${good(i)},${names.map((_, j) => `v${j % 97}`).join(',')}`;
      return csv(`externalId,name,${names.join(',')}`, row(1), row(2));
    },
    codes: [0],
    good: ['good-1', 'good-2'],
    failed: 0,
  },
  {
    name: 'csv: a 50 MB cell',
    object: 'account',
    file: 'cell.csv',
    content: () => Buffer.concat([b(`externalId,name,notes\n${good(1)},a\n${good(2)},b\nbig,Big,`), Buffer.alloc(50 * MiB, 'x'), b(`\n${good(3)},c\n`)]),
    codes: [1],
    good: ['good-1', 'good-2'],
    failed: 1,
    says: ['is larger than 16777216 bytes; reading stopped there'],
    unread: ['good-3'],
    large: true,
  },
  {
    name: 'csv: mixed line endings',
    object: 'account',
    file: 'endings.csv',
    content: () => b(`externalId,name\r\n${good(1)}\n${good(2)}\r${good(3)}\r\n"good-4","Good\r\n4"\n`),
    codes: [0],
    good: ['good-1', 'good-2', 'good-3', 'good-4'],
    failed: 0,
  },
  {
    name: 'csv: a byte-order mark in the middle (two files joined)',
    object: 'account',
    file: 'joined.csv',
    content: () => b(`\uFEFFexternalId,name\n${good(1)}\n\uFEFFexternalId,name\n${good(2)}\nmid,\uFEFFinside\n`),
    codes: [1],
    good: ['good-1', 'good-2', 'mid'],
    failed: 1,
    says: ['line 3 repeats the header'],
  },
  {
    name: 'csv: invalid UTF-8',
    object: 'account',
    file: 'latin1.csv',
    content: () => Buffer.concat([csv('externalId,name', good(1), good(2)), Buffer.from('bad,M\xfcller\n', 'latin1'), csv(good(3))]),
    codes: [2],
    // A file is read once before the run: one that is not UTF-8 is refused whole, nothing sent.
    good: [],
    failed: 0,
    says: ['is not UTF-8 text: line 4, byte offset', '--encoding windows-1252'],
    unread: ['good-1', 'good-2', 'good-3'],
  },
  {
    name: 'csv: __proto__, constructor and prototype columns',
    object: 'account',
    file: 'proto.csv',
    content: () => csv('externalId,name,__proto__,constructor,prototype', `${good(1)},,c,p`, 'bad,Bad,x,c,p', `${good(2)},,c,p`),
    codes: [1],
    good: ['good-1', 'good-2'],
    failed: 1,
    says: ['a trait cannot be named "__proto__"'],
  },
  {
    name: 'csv: a number too large for JSON',
    object: 'account',
    file: 'big-number.csv',
    args: ['--map', 'mrr=traits.mrr:number'],
    content: () => csv('externalId,name,mrr', `${good(1)},1`, 'bad,Bad,1e309', `${good(2)},2`),
    codes: [1],
    good: ['good-1', 'good-2'],
    failed: 1,
    says: ['"1e309" is too large for a number'],
  },
  {
    name: 'csv: binary garbage',
    object: 'account',
    file: 'garbage.csv',
    content: () => Buffer.concat([csv('externalId,name', good(1)), bytes(64 * 1024, 7)]),
    codes: [2],
    good: [],
    unread: ['good-1'],
    failed: 0,
    says: ['is not UTF-8 text'],
  },
  {
    name: 'csv: printable garbage (quotes, separators and breaks at random)',
    object: 'account',
    file: 'printable.csv',
    content: () => Buffer.concat([csv('externalId,name', good(1)), bytes(32 * 1024, 11, 'ab,"\n\r \t;x'), b('\n')]),
    codes: [0, 1],
    good: ['good-1'],
    failed: -1,
  },
  {
    name: 'ndjson: a value 5,000 levels deep',
    object: 'account',
    file: 'deep.ndjson',
    content: () => ndjson(goodJson(1), `{"externalId":"bad","traits":{"x":${'['.repeat(5000)}${']'.repeat(5000)}}}`, goodJson(2)),
    codes: [1],
    good: ['good-1', 'good-2'],
    failed: 1,
    says: ['nested more than 64 levels deep'],
  },
  {
    name: 'ndjson: numbers too large for JSON',
    object: 'account',
    file: 'infinity.ndjson',
    content: () => ndjson(goodJson(1), '{"externalId":"bad","mrr":1e309}', '{"externalId":"bad2","traits":{"x":[-1e400]}}', goodJson(2)),
    codes: [1],
    good: ['good-1', 'good-2'],
    failed: 2,
    says: ['a number too large for JSON'],
  },
  {
    name: 'ndjson: whole numbers beyond 2^53 (ids exported as numbers)',
    object: 'account',
    file: 'bigint.ndjson',
    content: () =>
      ndjson(
        goodJson(1),
        '{"externalId":12345678901234567890,"name":"A"}',
        '{"externalId":12345678901234567891,"name":"B"}',
        '{"externalId":"bad3","traits":{"seats":9007199254740993}}',
        goodJson(2),
      ),
    codes: [1],
    good: ['good-1', 'good-2'],
    failed: 3,
    says: ['externalId: a whole number beyond 9007199254740991', 'traits.seats: a whole number beyond 9007199254740991'],
  },
  {
    name: 'ndjson: a 20 MB line',
    object: 'account',
    file: 'huge.ndjson',
    content: () => Buffer.concat([ndjson(goodJson(1)), b('{"externalId":"huge","notes":"'), Buffer.alloc(20 * MiB, 'y'), b('"}\n'), ndjson(goodJson(2))]),
    codes: [1],
    good: ['good-1', 'good-2'],
    failed: 1,
    says: ['longer than 16777216 characters'],
    large: true,
  },
  {
    name: 'ndjson: a 50 MB line',
    object: 'account',
    file: 'line50.ndjson',
    content: () => Buffer.concat([ndjson(goodJson(1)), b('{"externalId":"huge","notes":"'), Buffer.alloc(50 * MiB, 'z'), b('"}\n'), ndjson(goodJson(2))]),
    codes: [1],
    good: ['good-1', 'good-2'],
    failed: 1,
    says: ['longer than 16777216 characters'],
    large: true,
  },
  {
    name: 'ndjson: __proto__ keys',
    object: 'account',
    file: 'proto.ndjson',
    content: () =>
      ndjson(goodJson(1), '{"externalId":"bad","__proto__":{"admin":true}}', '{"externalId":"bad2","traits":{"__proto__":1}}', {
        ...goodJson(2),
        constructor: 'c',
        prototype: 'p',
      }),
    codes: [1],
    good: ['good-1', 'good-2'],
    failed: 2,
    says: ['"__proto__"'],
  },
  {
    name: 'ndjson: mixed line endings and a byte-order mark in the middle',
    object: 'account',
    file: 'endings.ndjson',
    content: () =>
      b(`${JSON.stringify(goodJson(1))}\r\n\uFEFF${JSON.stringify(goodJson(2))}\n${JSON.stringify(goodJson(3))}\r${JSON.stringify(goodJson(4))}\n`),
    codes: [1],
    good: ['good-1', 'good-2'],
    failed: 1,
    says: ['line 3: not valid JSON'],
  },
  {
    name: 'ndjson: invalid UTF-8',
    object: 'account',
    file: 'latin1.ndjson',
    content: () => Buffer.concat([ndjson(goodJson(1)), Buffer.from('{"externalId":"bad","name":"M\xfcller"}\n', 'latin1'), ndjson(goodJson(2))]),
    codes: [2],
    good: [],
    failed: 0,
    says: ['is not UTF-8 text: line 2, byte offset'],
    unread: ['good-1', 'good-2'],
  },
  {
    name: 'ndjson: binary garbage',
    object: 'account',
    file: 'garbage.ndjson',
    content: () => Buffer.concat([ndjson(goodJson(1)), bytes(64 * 1024, 13)]),
    codes: [2],
    good: [],
    unread: ['good-1'],
    failed: 0,
    says: ['is not UTF-8 text'],
  },
  {
    name: 'notes: a note date out of range',
    object: 'note',
    file: 'notes.ndjson',
    content: () =>
      ndjson(
        { accountExternalId: 'acme', note: 'one', externalId: 'good-1' },
        { accountExternalId: 'acme', note: 'bad', noteDate: 1e300 },
        { accountExternalId: 'acme', note: 'two', externalId: 'good-2' },
      ),
    codes: [1],
    good: ['good-1', 'good-2'],
    failed: 1,
    says: ['is out of range'],
  },
  {
    name: 'events: an event time out of range',
    object: 'event',
    file: 'events.ndjson',
    content: () =>
      ndjson(
        { event: 'x', userId: 'u1', timestamp: '2024-01-01T00:00:00Z', messageId: 'good-1' },
        { event: 'x', userId: 'u1', timestamp: 9e15 },
        { event: 'x', userId: 'u1', messageId: 'good-2' },
      ),
    codes: [1],
    good: ['good-1', 'good-2'],
    failed: 1,
    says: ['is out of range'],
  },
];
