/**
 * The CLI's outputs with every credential kept out. main() wraps the streams of a command once: each
 * text written to stdout or stderr passes through the run's Secrets (src/vitally/redact.ts), which know
 * the tokens and the proxy passwords of the environment from the start, and the ones a command reads
 * later (a --token-file, the sandbox's) from the moment the command adds them. The files a run writes
 * (rejects, request log) take the same Secrets' `redact`. So whatever a command prints, by whatever
 * path, no token reaches the user.
 */
import { proxySecrets } from '../vitally/proxy.js';
import { Secrets } from '../vitally/redact.js';
import type { CliIO, Out } from './io.js';

export interface GuardedIO extends CliIO {
  /** The run's credentials: add each token as it is read; files written take `secrets.redact`. */
  secrets: Secrets;
}

/** The io with stdout and stderr redacted (the same object when it already is). */
export function guardIO(io: CliIO): GuardedIO {
  if ('secrets' in io && io.secrets instanceof Secrets) return io as GuardedIO;
  const secrets = new Secrets([io.env.VITALLY_API_TOKEN, io.env.VITALLY_ANALYTICS_TOKEN, ...proxySecrets(io.env)]);
  return { ...io, stdout: redacting(io.stdout, secrets), stderr: redacting(io.stderr, secrets), secrets };
}

/**
 * The same stream, every written text redacted. Everything else (isTTY, columns, once, the cursor
 * methods a spinner uses) is the stream's own, so terminals and pipes behave as before.
 */
function redacting(out: Out, secrets: Secrets): Out {
  const write = (chunk: unknown, ...rest: unknown[]) =>
    (out.write as (c: unknown, ...r: unknown[]) => unknown).call(out, typeof chunk === 'string' ? secrets.redact(chunk) : chunk, ...rest);
  return new Proxy(out, {
    get(target, prop) {
      if (prop === 'write') return write;
      const v: unknown = Reflect.get(target, prop, target);
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}
