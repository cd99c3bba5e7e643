/**
 * The command line: commander declarations only. A command's module is loaded when it runs, so a run
 * pays only for what it uses (a dry run loads no HTTP client unless it reads Vitally's trait catalogue,
 * and SQLite only when a state file exists). Each command is a plain async function of typed options;
 * one top-level catch maps errors to the documented exit codes.
 */
import { Command, CommanderError, Option } from 'commander';
import { AuthError, ConfigError, InputError, ServerFailingError, StateError, VitallySyncError } from '../errors.js';
import { EXIT, processIO, type CliIO } from './io.js';
import { registerDoctorCommand } from './doctor.js';
import { registerRunCommand } from './run.js';
import { guardIO } from './secret-io.js';
import { objectList, pluralList } from '../objects/index.js';
import { inputsHelp, readerNames, readerSettings } from '../source/index.js';
import { orList } from '../text.js';
import type { SandboxFlags } from './sandbox.js';
import type { StateFlags } from './state.js';

const collect = (value: string, prev: string[] = []) => [...prev, value];

// Lists in the help, from the registries of readers and objects.
const INPUTS = inputsHelp();
const FORMAT_HELP = `${orList(readerNames())} (default: from the file's extension, or a URL's scheme)`;
const APPEND_ONLY = pluralList((o) => o.kind === 'append');

/** The options only some readers take (CSV's --delimiter), as the readers declare them. */
function readerOptions(c: Command): Command {
  for (const s of readerSettings()) c.option(`${s.flag} <${s.arg ?? s.kind}>`, s.help);
  return c;
}

const PUSH_EXAMPLES = `
Examples:
  $ vitally-sync push accounts.csv --object account --mode upsert
  $ vitally-sync push users.ndjson --object user --map user_id=externalId --map plan=traits.plan
  $ vitally-sync push accounts.csv --object account --map mrr=traits.mrr:number --rejects rejects.ndjson
  $ cat accounts.csv | vitally-sync push - --format csv --object account --dry-run
  $ vitally-sync push notes.csv --object note        # accountExternalId, subject, body columns
  $ vitally-sync push users.csv --object user --match email
  $ vitally-sync push accounts.csv --object account --via analytics      # batches of 100
  $ vitally-sync push events.csv --object event --event-column event_name --timestamp-column ts --map user_id=userId
  $ vitally-sync push accounts.csv --object account --types vitally --strict-traits   # by Vitally's trait types
  $ vitally-sync push accounts.parquet --object account                  # column types carry over
  $ vitally-sync push postgres://etl@db.internal/crm --query "SELECT id AS \\"externalId\\", name FROM accounts" --object account
  $ vitally-sync push fixtures/accounts.csv --object account --sandbox     # no Vitally account needed
  $ vitally-sync push accounts.csv --object account --log-requests requests.ndjson   # every request and answer

Environment: VITALLY_API_TOKEN, VITALLY_REGION (us|eu), VITALLY_SUBDOMAIN, VITALLY_BASE_URL,
VITALLY_ANALYTICS_TOKEN, VITALLY_ANALYTICS_BASE_URL (events and --via analytics), PGPASSWORD (a query).
Exit codes: 0 all rows ok or skipped, 1 some rows failed, 2 bad usage or configuration (found before the
first request, the usual case: nothing sent; found mid-run: the rows before it have their results and the
summary is printed), 3 authentication failed, 75 the server kept failing (try again later), 130
interrupted, 70 internal error.`;

export function buildProgram(io: CliIO, exit: (code: number) => void): Command {
  const program = new Command('vitally-sync')
    .description('Stream rows from files or a database query into Vitally: paced, retried, one result per row.')
    .version('0.1.0')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) })
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText(
      'after',
      `
Examples:
  $ vitally-sync doctor                                  # check token, region, subdomain, hosts
  $ vitally-sync push accounts.csv --object account      # one file, one object type
  $ vitally-sync run --all                               # the syncs of vitally-sync.config.json
  $ vitally-sync push fixtures/accounts.csv --object account --sandbox    # no Vitally account needed

Run "vitally-sync <command> --help" for a command's options. Docs: README.md and docs/.`,
    );

  const push = program
    .command('push')
    .description('Send every row of a file (or - for stdin, or a Postgres query) to Vitally as one object type')
    .argument('[file]', INPUTS)
    .option('-o, --object <type>', objectList())
    .option('-m, --mode <mode>', `insert (POST), upsert (PUT, POST on 404) or update (PUT only); default upsert, insert for ${APPEND_ONLY}`)
    .option('--match <by>', `${pluralList((o) => o.matchByEmail === true)}: find the record by externalId (default) or email`)
    .option('-f, --format <format>', FORMAT_HELP);
  readerOptions(push)
    .option('--map <source=target[:type]>', 'rename a column (repeatable); type: string, number, boolean, date, datetime, json', collect)
    .option('--mapping <file.json>', 'column mappings from a JSON file')
    .option('--ignore <column>', 'drop a column (repeatable)', collect)
    .addOption(new Option('--empty <policy>', 'empty cells: omit (leave out) or null (send null: removes the trait)').choices(['omit', 'null']))
    .option('--list-separator <char>', 'separator of list cells such as accountIds in CSV (default ;)')
    .addOption(
      new Option('--types <policy>', "trait cells: as-read (default; typed only by --map) or vitally (converted by Vitally's trait catalogue)").choices([
        'as-read',
        'vitally',
      ]),
    )
    .option('--strict-traits', 'a column mapped to a trait key Vitally does not know stops the run before any row is sent (exit 2), instead of a warning')
    .option('--refresh-schema', 'ask Vitally for its trait catalogue again instead of using the stored copy (kept a day)')
    .option('--custom-fields <file>', 'read the trait catalogue from this JSON file instead of Vitally (with --sandbox, the sandbox serves it too)')
    .option('--json', 'print one NDJSON result per row and a final {"summary": ...} line')
    .option('-q, --quiet', 'print failed rows and the summary only')
    .option('--rejects <file>', 'write every failed row, with its row number and error, as NDJSON')
    .option('--log-requests <file>', 'write every request and answer (headers, bodies, status, timing, attempt) as NDJSON, secrets redacted')
    .option('--config <file>', 'the config file for connection settings (default: vitally-sync.config.json, .yaml or .yml here, if any)')
    .option('--no-config', 'ignore any config file')
    .option('-n, --dry-run', 'send nothing; print the requests a real run would send')
    .option('--token-file <path>', 'read the REST API token from a file (default: VITALLY_API_TOKEN)')
    .option('--region <region>', 'us or eu (default: VITALLY_REGION or us)')
    .option('--subdomain <name>', 'your Vitally subdomain, required for US (default: VITALLY_SUBDOMAIN)')
    .option('--base-url <url>', 'override the REST host (default: VITALLY_BASE_URL)')
    .option('--sandbox', 'send to an in-process sandbox instead of Vitally (no account needed)')
    .option(
      '--via <api>',
      `${pluralList((o) => o.analytics !== undefined && o.transport !== 'analytics')} in upsert mode: rest (default, one record a request) or analytics (batches of up to 100)`,
    )
    .option('--batch-size <n>', 'messages per Analytics batch request (default and maximum 100)')
    .option('--event <name>', 'events: one event name for every row')
    .option('--event-column <column>', 'events: the column holding the event name')
    .option('--timestamp-column <column>', 'events: the column holding the time (ISO 8601, epoch seconds or ms; default: when read)')
    .option('--unlink-removed', 'users --via analytics: unlink accounts that were sent for a user before and are gone from its row')
    .option('--analytics-token-file <path>', 'read the Analytics API token from a file (default: VITALLY_ANALYTICS_TOKEN)')
    .option('--analytics-base-url <url>', 'the Analytics API host (default: VITALLY_ANALYTICS_BASE_URL, or https://<subdomain>.api.vitally.io)')
    .option('--state <path>', 'the state store: what was sent, so unchanged rows are skipped (default .vitally-sync/state.db)')
    .option('--no-state', 'do not read or write the state store: send every row')
    .option('--full', 'send every row even if unchanged since the last run, and refresh the state store')
    .option('--delete-missing', `delete records synced earlier from this file that are no longer in it (${pluralList((o) => o.kind === 'keyed')})`)
    .option('--max-deletes <n>', 'with --delete-missing: refuse (exit 2, nothing deleted) above this many deletions (default 100)')
    .option('-c, --concurrency <n>', 'requests in flight at most (default 4)')
    .option('--rate <per-minute>', "requests per minute at most (default 1000, Vitally's limit)")
    .option('--max-retries <n>', 'retries of a request after 429, 5xx, resets and timeouts (default 5)')
    .option('--timeout <ms>', 'time allowed for an answer (default 30000)')
    .option('--connect-timeout <ms>', 'time allowed to connect (default 10000)')
    .addOption(new Option('--retry-base-ms <ms>', 'first retry backoff step (default 500)').hideHelp())
    .addOption(new Option('--max-wait-ms <ms>', 'the longest wait a rate-limit header may impose (default 60000)').hideHelp())
    .addHelpText('after', PUSH_EXAMPLES)
    .action(async (file: string | undefined, opts: Record<string, unknown>) => {
      const { pushCommand } = await import('./push.js');
      exit(await pushCommand(file, opts, io));
    });

  registerRunCommand(program, io, exit, reportError);
  registerDoctorCommand(program, io, exit);

  program
    .command('sandbox')
    .description('Serve a local Vitally-compatible API on 127.0.0.1 to try syncs against')
    .option('-p, --port <n>', 'port (default: a free one)')
    .option('--token <token>', 'the REST token to accept (default: a random one)')
    .option('--limit <n>', 'requests allowed per window (default 1000)')
    .option('--window <seconds>', 'rate-limit window length (default 60)')
    .option('--latency <ms>', 'added to every answer (default 0)')
    .option('--fail-rate <share>', 'share of requests answered 503 (0..1)')
    .option('--drop-rate <share>', 'share of connections dropped before an answer (0..1)')
    .option('--seed <n>', 'seed of the fault injection (default 1)')
    .option('--custom-fields <file>', 'serve this trait catalogue at /resources/customFields (JSON: [{model, label, path, type, options?}])')
    .option(
      '--block-analytics <type>',
      'answer 400 to this Analytics message type, as a workspace switch that blocks it does (repeatable): track, user, account, organization, unlink or customobjectinstance',
      collect,
    )
    .addOption(
      new Option(
        '--profile <name>',
        "docs: behave as Vitally's docs say (default); live: as production clients of the real Vitally show (record shapes, refused renames, X-RateLimit headers over a fixed window, Analytics applied later)",
      ).choices(['docs', 'live']),
    )
    .addOption(
      new Option('--put-unknown <answer>', 'PUT on an unknown account/organization/user: 404 or create (unconfirmed; default 404)').choices(['404', 'create']),
    )
    .addOption(
      new Option('--post-existing <answer>', 'POST repeating an externalId: update, conflict (409) or duplicate (unconfirmed; default update)').choices([
        'update',
        'conflict',
        'duplicate',
      ]),
    )
    .addOption(
      new Option('--user-links <how>', 'accountIds/organizationIds on a user PUT: replace or merge the links (unconfirmed; default replace)').choices([
        'replace',
        'merge',
      ]),
    )
    .addOption(
      new Option('--account-rename <answer>', 'name on an account PUT: accept, or refuse with 400 (unconfirmed; docs accept, live refuse)').choices([
        'accept',
        'refuse',
      ]),
    )
    .addOption(
      new Option(
        '--rate-headers <family>',
        'rate-limit headers: ratelimit (RateLimit-*) or x-ratelimit (X-RateLimit-*) (docs ratelimit, live x-ratelimit)',
      ).choices(['ratelimit', 'x-ratelimit']),
    )
    .addOption(
      new Option('--rate-reset <meaning>', 'the Reset header: delta (seconds to wait) or epoch (Unix time in seconds) (docs delta, live epoch)').choices([
        'delta',
        'epoch',
      ]),
    )
    .addOption(
      new Option('--rate-window <kind>', 'sliding, or fixed (empties --window seconds after its first request) (docs sliding, live fixed)').choices([
        'sliding',
        'fixed',
      ]),
    )
    .option('--retry-after', 'send Retry-After on 429 (unconfirmed; off by default)')
    .option('--no-retry-after', 'send no Retry-After on 429')
    .option('--write-cost <n>', 'units of the allowance a write takes, a read taking 1 (unconfirmed; default 1)')
    .option('--no-organizations', 'a workspace without organizations: every organization path answers 403')
    .option('--custom-objects <file>', 'serve these custom objects (JSON: [{id?, name, label?, fields?: [{id?, label, path, type}]}]); their ids are printed')
    .addOption(
      new Option('--analytics-apply <when>', 'apply Analytics messages at-once (before the 200) or deferred (after it) (docs at-once, live deferred)').choices([
        'at-once',
        'deferred',
      ]),
    )
    .option('--analytics-delay <ms>', 'with deferred Analytics: apply messages this long after the answer (default 0: at once after it)')
    .addHelpText(
      'after',
      '\nExamples:\n  $ vitally-sync sandbox --port 4010 --limit 100 --window 60 --custom-fields fixtures/custom-fields.json\n  $ vitally-sync sandbox --block-analytics user      # Analytics user messages are refused (400)\n  $ vitally-sync sandbox --profile live              # as production code shows the real Vitally\n  $ vitally-sync sandbox --profile live --post-existing conflict --no-organizations\n\nEvery profile and option, and where each behaviour comes from: docs/sandbox.md',
    )
    .action(async (opts: SandboxFlags) => {
      const { sandboxCommand } = await import('./sandbox.js');
      exit(await sandboxCommand(opts, io));
    });

  const connectionOptions = (c: Command) =>
    c
      .option('--token-file <path>', 'read the REST API token from a file (default: VITALLY_API_TOKEN)')
      .option('--region <region>', 'us or eu (default: VITALLY_REGION or us)')
      .option('--subdomain <name>', 'your Vitally subdomain, required for US (default: VITALLY_SUBDOMAIN)')
      .option('--base-url <url>', 'override the REST host (default: VITALLY_BASE_URL)')
      .option('--sandbox', 'ask an in-process sandbox (its catalogue is empty unless --custom-fields)')
      .option('--custom-fields <file>', 'the catalogue from a JSON file instead of Vitally (with --sandbox, the sandbox serves it)')
      .option('--state <path>', 'the state store where the catalogue copy is kept (default .vitally-sync/state.db, if it exists)')
      .option('--no-state', 'keep no copy of the catalogue');

  connectionOptions(
    program
      .command('fields')
      .description('List the custom traits Vitally knows for an object type: label, key, type, picklist options')
      .option(
        '-o, --object <type>',
        objectList((o) => o.catalogue),
      )
      .option('--config <file>', 'the config file for connection settings (default: vitally-sync.config.json, .yaml or .yml here, if any)')
      .option('--json', 'print them as JSON'),
  )
    .addHelpText(
      'after',
      '\nExamples:\n  $ vitally-sync fields --object account\n  $ vitally-sync fields --object user --json\n  $ vitally-sync fields --object account --sandbox --custom-fields fixtures/custom-fields.json',
    )
    .action(async (opts: Record<string, unknown>) => exit(await (await import('./fields.js')).fieldsCommand(opts, io)));

  connectionOptions(
    readerOptions(
      program
        .command('init')
        .description("Propose a mapping for a file (header and sampled rows, Vitally's trait catalogue) and write it as a named sync in the config file")
        .argument('<file>', `the input to sample: ${INPUTS}`)
        .option(
          '-o, --object <type>',
          objectList((o) => o.catalogue),
        )
        .option('--name <sync>', "the sync's name (default: the file name without its extension)")
        .option('--force', 'replace a sync of the same name')
        .option('--config <file>', 'the config file to write (default: vitally-sync.config.json, or the .yaml one, in this folder)')
        .option('-m, --mode <mode>', `the sync's mode (default upsert, insert for ${APPEND_ONLY})`)
        .option('--sample <n>', 'rows read to decide (default 100)')
        .option('-f, --format <format>', FORMAT_HELP),
    ).option('--json', 'print the proposal as JSON'),
  )
    .addHelpText(
      'after',
      '\nExamples:\n  $ vitally-sync init exports/accounts.csv --object account\n  $ vitally-sync init users.ndjson --object user --name users-nightly --force\n  $ vitally-sync init postgres://etl@db.internal/crm --query-file accounts.sql --object account --name accounts\n  $ vitally-sync init fixtures/export-accounts.csv --object account --sandbox --custom-fields fixtures/custom-fields.json',
    )
    .action(async (file: string, opts: Record<string, unknown>) => exit(await (await import('./init.js')).initCommand(file, opts, io)));

  const state = program
    .command('state')
    .description('Look into or clear the state store (what was sent, resolved ids, rows in doubt)')
    .addHelpText('after', '\nExamples:\n  $ vitally-sync state show\n  $ vitally-sync state forget note\n  $ vitally-sync state reset --yes');
  const stateOption = '--state <path>';
  const stateHelp = 'the state file (default .vitally-sync/state.db)';
  state
    .command('show')
    .description('What the store holds, per destination and object, and the recent runs')
    .option(stateOption, stateHelp)
    .option('--json', 'print it as JSON')
    .addHelpText('after', '\nExamples:\n  $ vitally-sync state show\n  $ vitally-sync state show --state ci-cache/state.db --json')
    .action(async (opts: StateFlags) => exit(await (await import('./state.js')).stateShow(opts, io)));
  state
    .command('reset')
    .description('Delete the state file: the next run sends everything')
    .option(stateOption, stateHelp)
    .option('--yes', 'confirm')
    .addHelpText('after', '\nExample:\n  $ vitally-sync state reset --yes')
    .action(async (opts: StateFlags) => exit(await (await import('./state.js')).stateReset(opts, io)));
  state
    .command('forget')
    .description('Forget what was sent for one object type (all destinations, or --destination)')
    .argument('<object>', objectList())
    .option(stateOption, stateHelp)
    .option('--destination <url>', 'only this REST base URL')
    .addHelpText('after', '\nExamples:\n  $ vitally-sync state forget note\n  $ vitally-sync state forget account --destination https://acme.rest.vitally.io')
    .action(async (object: string, opts: StateFlags) => exit(await (await import('./state.js')).stateForget(object, opts, io)));

  return program;
}

/** Run the CLI; resolves to the exit code (never calls process.exit itself). */
export async function main(argv: string[], given: CliIO = processIO()): Promise<number> {
  // Everything any command prints goes through the run's secrets.
  const io = guardIO(given);
  let code: number = EXIT.ok;
  const program = buildProgram(io, (c) => {
    code = c;
  });
  try {
    await program.parseAsync(argv, { from: 'user' });
    return code;
  } catch (err) {
    return reportError(err, io);
  }
}

export function reportError(err: unknown, io: CliIO): number {
  if (err instanceof CommanderError) {
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return EXIT.ok;
    return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
  }
  if (err instanceof AuthError) {
    io.stderr.write(`vitally-sync: ${err.message}\n`);
    return EXIT.auth;
  }
  if (err instanceof ServerFailingError) {
    io.stderr.write(`vitally-sync: ${err.message}\n`);
    return EXIT.serverFailing;
  }
  if (err instanceof ConfigError || err instanceof InputError || err instanceof StateError) {
    io.stderr.write(`vitally-sync: ${err.message}\n`);
    return EXIT.usage;
  }
  if (err instanceof VitallySyncError) {
    io.stderr.write(`vitally-sync: ${err.message}\n`);
    return EXIT.rowsFailed;
  }
  const e = err as Error;
  io.stderr.write(`vitally-sync: internal error: ${e?.stack ?? String(err)}\nThis is a bug: please report it with the command you ran.\n`);
  return EXIT.internal;
}
