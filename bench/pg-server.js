// A Postgres server for the query benchmarks, in a process of its own so its memory and time are not the
// measured process's: PGlite served over the wire protocol on 127.0.0.1 (a free port). Prints its URL on
// the first line of stdout, then serves until its stdin closes.
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

const db = await PGlite.create();
const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: 4 });
await server.start();
process.stdout.write(`postgres://postgres@${server.getServerConn()}/postgres\n`);
process.stdin.resume();
process.stdin.on('end', async () => {
  await server.stop();
  await db.close();
  process.exit(0);
});
