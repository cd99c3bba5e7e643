/**
 * The Postgres reader: the rows of one SQL query, read through a cursor (pg with pg-cursor), a batch at a
 * time, so a result of any size streams with bounded memory. The query runs in a read-only transaction
 * (the run never writes to the database), with ISO dates and exact floats, that is rolled back at the end. Stopping (Ctrl-C) cancels the
 * query in progress, closes the cursor and the connection.
 *
 * A record's `row` and `line` are both its number in the result. Values are typed as
 * `postgres-types.ts` says; a NULL is undefined (an empty cell to the mapper). A query Postgres refuses,
 * a connection that fails or breaks, ends the read with an InputError carrying Postgres's own message.
 */
import { connect } from 'node:net';
import pg from 'pg';
import Cursor from 'pg-cursor';
import { InputError, VitallySyncError, errorMessage } from '../errors.js';
import type { SourceRecord } from '../types.js';
import { postgresTypes } from './postgres-types.js';
import { setField, typedRecord } from './typed.js';

export interface PostgresReadOptions {
  /** The connection URL without its password (see parsePostgresUrl). */
  url: string;
  password?: string | undefined;
  /** How errors name the database (the URL without password). */
  label: string;
  sql: string;
  signal: AbortSignal | undefined;
  /** Columns left out of the records (push --ignore): a value there fails no row. */
  ignore?: readonly string[] | undefined;
  /** Rows fetched per round trip (default 1000). */
  batchRows?: number;
}

const arrayParser = pg.types.arrayParser as unknown as { create(text: string, element: (t: string) => unknown): { parse(): unknown[] } };
const TYPES = postgresTypes((text, element) => arrayParser.create(text, element).parse());

/** Records in batches, one per round trip to the server. */
export async function* readPostgresBatches(o: PostgresReadOptions): AsyncGenerator<SourceRecord[]> {
  if (o.signal?.aborted) return;
  const config: pg.ClientConfig = { connectionString: o.url, application_name: 'vitally-sync', ...(o.password !== undefined ? { password: o.password } : {}) };
  const client = new pg.Client(config);
  // A connection that breaks between reads surfaces through the next read; without a listener it would crash the process.
  client.on('error', () => {});
  let cursor: Cursor | undefined;
  let reading = false;
  const onAbort = (): void => {
    // Cancel the statement the server may still be working on; the read then ends and the finally closes.
    if (reading) cancel(client);
  };
  o.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    try {
      await client.connect();
    } catch (err) {
      throw new InputError('INPUT_UNREADABLE', `Cannot connect to ${o.label}: ${errorMessage(err)}`);
    }
    // Values are parsed as ISO dates and exact floats, whatever the server, database or role defaults to
    // (a DateStyle of 'SQL, DMY'; extra_float_digits 0, older servers' default, prints 15 digits). Set in the
    // transaction, the settings end with its rollback.
    await client.query(`BEGIN TRANSACTION READ ONLY; SET DateStyle = 'ISO'; SET extra_float_digits = 3`);
    cursor = client.query(new Cursor(o.sql, undefined, { rowMode: 'array', types: TYPES }));
    const batchRows = o.batchRows ?? 1000;
    let names: Array<string | null> | undefined;
    let row = 0;
    for (;;) {
      if (o.signal?.aborted) return;
      reading = true;
      const { rows, fields } = await read(cursor, batchRows);
      reading = false;
      names ??= columnNames(fields, new Set(o.ignore ?? []));
      if (rows.length === 0) return;
      const batch: SourceRecord[] = [];
      for (const values of rows) {
        const data: Record<string, unknown> = {};
        for (let c = 0; c < names.length; c++) {
          const name = names[c];
          if (name !== null) setField(data, name, values[c] === null ? undefined : values[c]);
        }
        row++;
        batch.push(typedRecord(row, row, data));
      }
      yield batch;
    }
  } catch (err) {
    if (o.signal?.aborted) return;
    throw readError(err, o.label);
  } finally {
    o.signal?.removeEventListener('abort', onAbort);
    await close(client, cursor);
  }
}

function read(cursor: Cursor, n: number): Promise<{ rows: unknown[][]; fields: pg.FieldDef[] }> {
  return new Promise((resolve, reject) => {
    // Once the result is complete, pg-cursor answers a read with no rows and no result.
    cursor.read(n, (err, rows, result) => (err ? reject(err) : resolve({ rows: rows as unknown[][], fields: result?.fields ?? [] })));
  });
}

/** Column names by position, null for an ignored one; two columns of one name are refused. */
function columnNames(fields: pg.FieldDef[], ignore: Set<string>): Array<string | null> {
  const seen = new Set<string>();
  return fields.map((f) => {
    if (ignore.has(f.name)) return null;
    if (seen.has(f.name)) {
      throw new InputError('INPUT_UNREADABLE', `The query returns two columns named "${f.name}": give each a name of its own (... AS "${f.name}_2")`);
    }
    seen.add(f.name);
    return f.name;
  });
}

/** A failure of the read as an InputError: Postgres's own words, its SQLSTATE code and position, its hint. */
function readError(err: unknown, label: string): VitallySyncError {
  if (err instanceof VitallySyncError) return err;
  const e = err as { message?: string; code?: unknown; position?: unknown; hint?: unknown; severity?: unknown };
  if (typeof e.severity === 'string' && typeof e.code === 'string') {
    const where = typeof e.position === 'string' && e.position ? `, at character ${e.position}` : '';
    const hint = typeof e.hint === 'string' && e.hint ? ` Hint: ${e.hint}` : '';
    return new InputError('INPUT_UNREADABLE', `Postgres refused the query: ${e.message} (SQLSTATE ${e.code}${where}).${hint}`);
  }
  return new InputError('INPUT_UNREADABLE', `The read from ${label} stopped: ${errorMessage(err)}`);
}

/**
 * Asks the server to cancel the statement in progress: Postgres's CancelRequest message (its code, the
 * backend's process id and secret key) on a connection of its own, as the protocol prescribes.
 */
function cancel(client: pg.Client): void {
  const c = client as unknown as { processID?: number; secretKey?: number; host: string; port: number };
  if (c.processID === undefined || c.secretKey === undefined) return;
  const message = Buffer.alloc(16);
  message.writeInt32BE(16, 0);
  message.writeInt32BE(80877102, 4);
  message.writeInt32BE(c.processID, 8);
  message.writeInt32BE(c.secretKey, 12);
  const socket = c.host.startsWith('/') ? connect(`${c.host}/.s.PGSQL.${c.port}`) : connect(c.port, c.host);
  socket.on('error', () => {});
  socket.on('connect', () => socket.end(message));
}

/** Closes the cursor, ends the transaction and the connection; a server that does not answer is cut off after 5 s. */
async function close(client: pg.Client, cursor: Cursor | undefined): Promise<void> {
  const orderly = (async () => {
    await cursor?.close().catch(() => {});
    await client.query('ROLLBACK').catch(() => {});
    await client.end().catch(() => {});
  })();
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), 5000)));
  const outcome = await Promise.race([orderly, late]);
  clearTimeout(timer);
  if (outcome === 'late') (client as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream?.destroy();
}
