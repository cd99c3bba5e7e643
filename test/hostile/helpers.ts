/**
 * The hostile-server suite's tools: a scripted `node:http` server on 127.0.0.1 (port 0) that records
 * what it received, a token, and the check that the token appears nowhere the user or a file can see
 * it (in any of its forms, or any 8 characters of it).
 */
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { join } from 'node:path';
import { expect } from 'vitest';

/**
 * Flags for a push whose test is about its rows' requests: no trait catalogue to read first (a push
 * reads it under the default --types auto). credentials.test.ts runs the catalogue's GET against these
 * servers too.
 */
export const ROWS_ONLY = ['--types', 'as-read'];

/** A REST token as Vitally issues them, different in every test file. */
export const TOKEN = `sk_live_${randomBytes(16).toString('hex')}`;
export const BASIC = `Basic ${Buffer.from(`${TOKEN}:`).toString('base64')}`;

export interface Received {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export type Handler = (req: Received, res: ServerResponse, n: number) => unknown;

export interface Hostile {
  url: string;
  received: Received[];
  /** Replace the script (the next requests get the new one). */
  handle: (h: Handler) => void;
  close: () => Promise<void>;
}

/** A server answering as `handler` says; `n` counts the requests from 1. */
export async function hostile(handler: Handler): Promise<Hostile> {
  const received: Received[] = [];
  const sockets = new Set<Socket>();
  let current = handler;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const r: Received = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      received.push(r);
      res.on('error', () => {});
      void Promise.resolve(current(r, res, received.length)).catch(() => res.destroy());
    });
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    handle: (h) => {
      current = h;
    },
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

/** Answer with JSON. */
export function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

/** The record a PUT or POST of an account asked for, as Vitally would answer it. */
export function echoRecord(req: Received, over: Record<string, unknown> = {}): Record<string, unknown> {
  const sent = (req.body ? JSON.parse(req.body) : {}) as Record<string, unknown>;
  const key = sent.externalId ?? decodeURIComponent(req.path.split('/').pop() ?? '');
  return { id: `id-${String(key)}`, ...sent, externalId: key, ...over };
}

/** What must never be seen: the token, its base64 forms, the Basic header value, and any 8 characters of them. */
export function secretForms(token = TOKEN): string[] {
  const b64 = Buffer.from(`${token}:`).toString('base64');
  const whole = [
    token,
    Buffer.from(token).toString('base64'),
    b64,
    Buffer.from(`${token}:`).toString('base64url'),
    Buffer.from(token).toString('base64url'),
    Buffer.from(`Basic ${b64}`).toString('base64'),
  ];
  const windows = new Set<string>(whole);
  for (const f of [token, b64]) for (let i = 0; i + 8 <= f.length; i++) windows.add(f.slice(i, i + 8));
  return [...windows];
}

/** Asserts that no text (name -> content) holds any form of the token. */
export function expectNoToken(texts: Record<string, string>, token = TOKEN): void {
  const forms = secretForms(token);
  const leaks: string[] = [];
  for (const [name, text] of Object.entries(texts)) {
    for (const f of forms) {
      const at = text.indexOf(f);
      if (at >= 0) leaks.push(`${name} holds ${JSON.stringify(f)}: ...${text.slice(Math.max(0, at - 40), at + f.length + 40)}...`);
    }
  }
  expect(leaks).toEqual([]);
}

/** Every file under `dir` (the rejects file, the request log, the state store and its WAL, configs). */
export function filesIn(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) Object.assign(out, filesIn(p));
    else out[p] = readFileSync(p).toString('latin1');
  }
  return out;
}

/** An accounts CSV of `n` rows (acct-1 ...). */
export function accountsCsv(n: number): string {
  return ['externalId,name', ...Array.from({ length: n }, (_, i) => `acct-${i + 1},Account ${i + 1}`)].join('\n') + '\n';
}
