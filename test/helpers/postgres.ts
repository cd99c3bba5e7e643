/**
 * A real Postgres server for the tests: PGlite (Postgres compiled to WebAssembly) served over the
 * Postgres wire protocol on 127.0.0.1, port 0, by @electric-sql/pglite-socket. Installed from npm alone.
 */
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { afterAll, beforeAll } from 'vitest';

export interface TestPostgres {
  db: PGlite;
  /** postgres://postgres@127.0.0.1:<port>/postgres (PGlite accepts any password). */
  url: string;
  /** Connections the server holds open now. */
  connections(): number;
  close(): Promise<void>;
}

export async function startPostgres(): Promise<TestPostgres> {
  const db = await PGlite.create();
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: 8 });
  await server.start();
  const url = `postgres://postgres@${server.getServerConn()}/postgres`;
  return {
    db,
    url,
    connections: () => server.getStats().activeConnections,
    close: async () => {
      await server.stop();
      await db.close();
    },
  };
}

/** One server for the test file, started before its tests (PGlite takes a few seconds to start). */
export function usePostgres(assign: (pg: TestPostgres) => void): void {
  let pg: TestPostgres | undefined;
  beforeAll(async () => {
    pg = await startPostgres();
    assign(pg);
  }, 60_000);
  afterAll(() => pg?.close());
}
