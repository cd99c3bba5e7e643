/**
 * A small CONNECT proxy on 127.0.0.1, as a corporate proxy tunnels HTTPS: it records each tunnel asked
 * for (the host:port and the Proxy-Authorization header) and pipes the bytes both ways. `password`
 * makes it answer 407 to a tunnel without those credentials; `silent`, never answer at all.
 */
import { createServer, type IncomingMessage } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';

export interface Tunnel {
  target: string;
  authorization: string | undefined;
}

export interface TestProxy {
  url: string;
  port: number;
  tunnels: Tunnel[];
  close(): Promise<void>;
}

export async function connectProxy(opts: { user?: string; password?: string; silent?: boolean } = {}): Promise<TestProxy> {
  const tunnels: Tunnel[] = [];
  const sockets = new Set<Socket>();
  const expected = opts.password === undefined ? undefined : `Basic ${Buffer.from(`${opts.user ?? ''}:${opts.password}`).toString('base64')}`;
  const server = createServer((_req, res) => res.writeHead(405).end('CONNECT only'));
  server.on('connect', (req: IncomingMessage, client: Socket, head: Buffer) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    const authorization = req.headers['proxy-authorization'];
    tunnels.push({ target: req.url ?? '', authorization });
    if (opts.silent) return;
    if (expected !== undefined && authorization !== expected) {
      client.end('HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="test"\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    const [host, port] = (req.url ?? '').split(':');
    const upstream = connect(Number(port), host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    sockets.add(upstream);
    upstream.on('close', () => sockets.delete(upstream));
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    tunnels,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
