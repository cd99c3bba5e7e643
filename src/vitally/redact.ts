/**
 * Keeping credentials out of everything the tool prints or writes: one set of secrets per run (and one
 * per HTTP client), each known in every form it may come back in.
 *
 * - `redact(text)` replaces each whole form with `***`. It is what every exit point applies (stdout,
 *   stderr, the rejects file, the request log), and it is cheap: a few native searches per text.
 * - `scrub(text)` also replaces any run of 8 or more characters that is part of a form (the head of a
 *   token a proxy cut short, a piece of its base64). The transport applies it to everything an answer
 *   brings (body, headers, error text) before anything reads it, so an echoed credential is gone before
 *   any text is cut to length. A server can only echo what it was sent, so this is where fragments can
 *   come from; the tool's own texts hold whole forms at most. A text whose JSON escapes spell a form
 *   (`\u0073\u006b...`, which a gateway's JSON encoder may write) is scrubbed as it reads once decoded,
 *   since error texts and stored catalogues are read that way.
 *
 * The forms of a token `t`: `t` itself; base64 of `t` and of `t:` (the Basic credential), standard and
 * URL-safe, with and without padding, and at the two other alignments (the same bytes inside a longer
 * encoded text); the Basic header values (`Basic <base64 of t:>`, `Basic t`) and their base64; and the
 * percent-encoded spelling of each. A value pasted as `Basic <base64>` (or its bare base64 half) hides
 * the token itself, which is added too.
 */

/** Fragments of at least this many characters are scrubbed. */
export const FRAGMENT_CHARS = 8;
/** Shorter secrets are not redacted (nothing that short is a real credential; redacting it would maim text). */
const MIN_SECRET_CHARS = 4;

const b64 = (s: string) => Buffer.from(s).toString('base64');
const b64url = (s: string) => Buffer.from(s).toString('base64url');

/** The base64 characters that depend on `s` alone when it is encoded after `pad` other bytes. */
function shifted(s: string, pad: number): string {
  const enc = Buffer.concat([Buffer.alloc(pad), Buffer.from(s)])
    .toString('base64')
    .replace(/=+$/, '');
  // The first ceil(pad * 4 / 3) characters mix in the padding bytes; the last one may mix in what follows.
  return enc.slice(Math.ceil((pad * 4) / 3), -1);
}

/** The token a value stands for: itself, and what a "Basic <base64 of token:>" value (or its bare half) hides. */
function tokensIn(secret: string): string[] {
  const t = secret.trim();
  const bare = t.replace(/^basic\s+/i, '');
  const out = [bare];
  if (/^[A-Za-z0-9+/_-]+={0,2}$/.test(bare)) {
    const decoded = Buffer.from(bare, 'base64').toString('utf8');
    if (/^[\x21-\x7e]{4,}:$/.test(decoded)) out.push(decoded.slice(0, -1));
  }
  return out;
}

/** Every form of one token, as listed above. */
export function formsOf(token: string): string[] {
  const forms = new Set<string>([token, `Basic ${token}`]);
  for (const plain of [token, `${token}:`]) {
    const std = b64(plain);
    forms.add(std);
    forms.add(std.replace(/=+$/, ''));
    forms.add(b64url(plain));
    forms.add(shifted(plain, 1));
    forms.add(shifted(plain, 2));
  }
  const header = `Basic ${b64(`${token}:`)}`;
  forms.add(header);
  forms.add(b64(header));
  forms.add(b64(header).replace(/=+$/, ''));
  forms.add(b64(`Basic ${token}`));
  for (const f of [...forms]) forms.add(encodeURIComponent(f));
  return [...forms].filter((f) => f.length >= MIN_SECRET_CHARS);
}

/**
 * The text with the JSON escapes that stand for a printable ASCII character (`\u0073`, `\/`) decoded,
 * the others (`\"`, `\\`, `\n`, `\u00e9`) kept: a JSON text stays the same JSON, and every form of a
 * secret (all printable ASCII) reads as itself.
 */
function unescapeJson(text: string): string {
  return text.replace(/\\(u[0-9a-fA-F]{4}|[^u])/g, (esc, what: string) => {
    if (what === '/') return '/';
    if (what.length === 1) return esc;
    const c = parseInt(what.slice(1), 16);
    return c > 0x20 && c < 0x7f && c !== 0x22 && c !== 0x5c ? String.fromCharCode(c) : esc;
  });
}

export class Secrets {
  /** Whole forms, longest first (so a longer form is never half-replaced through a shorter one). */
  private whole: string[] = [];
  /**
   * The forms that hold no other form: a text that has none of them has no form at all, so most texts
   * are searched a few times, not once per form.
   */
  private cores: string[] = [];
  private readonly known = new Set<string>();
  private fragments = new Set<string>();
  private runs: RegExp | undefined;

  constructor(secrets: Iterable<string | undefined> = []) {
    this.add(...secrets);
  }

  /** Add credentials (undefined and blank values are ignored). */
  add(...secrets: Array<string | undefined>): this {
    let changed = false;
    for (const s of secrets) {
      if (!s?.trim()) continue;
      for (const token of tokensIn(s)) {
        if (token.length < MIN_SECRET_CHARS) continue;
        for (const f of [s.trim(), ...formsOf(token)]) {
          if (this.known.has(f)) continue;
          this.known.add(f);
          changed = true;
        }
      }
    }
    if (changed) this.index();
    return this;
  }

  /** Whether any secret is known. */
  get size(): number {
    return this.known.size;
  }

  /** Replace each whole form with ***. */
  redact = (text: string): string => {
    if (!this.cores.some((c) => text.includes(c))) return text;
    let out = text;
    for (const n of this.whole) if (out.includes(n)) out = out.split(n).join('***');
    return out;
  };

  /**
   * Replace each whole form, and every run of 8 or more characters that is part of one, with ***. When
   * decoding the text's JSON escapes brings a form to light, the decoded text is returned, scrubbed.
   */
  scrub = (text: string): string => {
    const decoded = text.includes('\\') ? unescapeJson(text) : text;
    if (decoded !== text) {
      const out = this.scrubAsIs(decoded);
      if (out !== decoded) return out;
    }
    return this.scrubAsIs(text);
  };

  private scrubAsIs(text: string): string {
    const out = this.redact(text);
    if (!this.runs) return out;
    return out.replace(this.runs, (run) => this.scrubRun(run));
  }

  private index(): void {
    this.whole = [...this.known].sort((a, b) => b.length - a.length);
    this.cores = [];
    for (const f of [...this.whole].reverse()) if (!this.cores.some((c) => f.includes(c))) this.cores.push(f);
    this.fragments = new Set();
    const chars = new Set<string>();
    for (const f of this.known) {
      for (let i = 0; i + FRAGMENT_CHARS <= f.length; i++) this.fragments.add(f.slice(i, i + FRAGMENT_CHARS));
      if (f.length >= FRAGMENT_CHARS) for (const c of f) chars.add(c);
    }
    if (chars.size === 0) {
      this.runs = undefined;
      return;
    }
    const cls = [...chars].map((c) => (/[\]\\^-]/.test(c) ? `\\${c}` : c)).join('');
    // Only runs of the forms' own characters can hold a fragment: the rest of the text is skipped natively.
    this.runs = new RegExp(`[${cls}]{${FRAGMENT_CHARS},}`, 'g');
  }

  /** Cover every window of the run that is a fragment of a form; each covered stretch becomes ***. */
  private scrubRun(run: string): string {
    const spans: Array<[number, number]> = [];
    for (let i = 0; i + FRAGMENT_CHARS <= run.length; i++) {
      if (!this.fragments.has(run.slice(i, i + FRAGMENT_CHARS))) continue;
      const last = spans[spans.length - 1];
      if (last && i <= last[1]) last[1] = i + FRAGMENT_CHARS;
      else spans.push([i, i + FRAGMENT_CHARS]);
    }
    if (spans.length === 0) return run;
    let out = '';
    let at = 0;
    for (const [from, to] of spans) {
      out += `${run.slice(at, from)}***`;
      at = to;
    }
    return out + run.slice(at);
  }
}
