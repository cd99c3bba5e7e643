/** The declaration of `push`: its options and examples (the command itself is push.ts, loaded when it runs). */
import { Option, type Command } from 'commander';
import { objectList, pluralList } from '../objects/index.js';
import { APPEND_ONLY, collect, FORMAT_HELP, INPUTS, readerOptions } from './help.js';
import type { CliIO } from './io.js';

const PUSH_EXAMPLES = `
Examples:
  $ vitally-sync push accounts.csv --object account --mode upsert
  $ vitally-sync push users.ndjson --object user --map user_id=externalId --map plan=traits.plan
  $ vitally-sync push accounts.csv --object account --map mrr=traits.mrr:number --rejects rejects.ndjson
  $ cat accounts.csv | vitally-sync push - --format csv --object account --dry-run
  $ vitally-sync push notes.csv --object note        # accountExternalId, subject, body columns
  $ vitally-sync push users.csv --object user --match email
  $ vitally-sync push accounts.csv --object account --via analytics      # batches of 100
  $ vitally-sync push accounts.csv --object account --compare vitally    # list the workspace, send what differs
  $ vitally-sync push accounts.csv --object account --compare vitally --via analytics --verify
  $ vitally-sync push events.csv --object event --event-column event_name --timestamp-column ts --map user_id=userId
  $ vitally-sync push accounts.csv --object account --types vitally --strict-traits   # by Vitally's trait types
  $ vitally-sync push accounts.parquet --object account                  # column types carry over
  $ vitally-sync push postgres://etl@db.internal/crm --query "SELECT id AS \\"externalId\\", name FROM accounts" --object account
  $ vitally-sync push fixtures/accounts.csv --object account --sandbox     # no Vitally account needed
  $ vitally-sync push accounts.csv --object account --log-requests requests.ndjson   # every request and answer

Environment: VITALLY_API_TOKEN, VITALLY_REGION (us|eu), VITALLY_SUBDOMAIN, VITALLY_BASE_URL,
VITALLY_ANALYTICS_TOKEN, VITALLY_ANALYTICS_BASE_URL (events and --via analytics), PGPASSWORD (a query);
HTTPS_PROXY, HTTP_PROXY, NO_PROXY (a proxy, as curl reads them); NO_COLOR, FORCE_COLOR.
Exit codes: 0 all rows ok or skipped, 1 some rows failed, 2 bad usage or configuration (found before the
first request, the usual case: nothing sent; found mid-run: the rows before it have their results and the
summary is printed), 3 authentication failed, 69 the server kept failing, 75 the state file is in use (try again later), 130
interrupted, 70 internal error.`;

export function registerPushCommand(program: Command, io: CliIO, exit: (code: number) => void): Command {
  const push = program
    .command('push')
    .description('Send every row of a file (or - for stdin, or a Postgres query) to Vitally as one object type')
    .argument('[file]', INPUTS)
    .optionsGroup('What to send:')
    .option('-o, --object <type>', objectList())
    .option('-m, --mode <mode>', `insert (POST), upsert (PUT, POST on 404) or update (PUT only); default upsert, insert for ${APPEND_ONLY}`)
    .option('--match <by>', `${pluralList((o) => o.matchByEmail === true)}: find the record by externalId (default) or email`)
    .optionsGroup('The input:')
    .option('-f, --format <format>', FORMAT_HELP);
  readerOptions(push)
    .optionsGroup('Columns and traits:')
    .option('--map <source=target[:type]>', 'rename a column (repeatable); type: string, number, boolean, date, datetime, json', collect)
    .option('--mapping <file.json>', 'column mappings from a JSON file')
    .option('--ignore <column>', 'drop a column (repeatable)', collect)
    .addOption(new Option('--empty <policy>', 'empty cells: omit (leave out) or null (send null: removes the trait)').choices(['omit', 'null']))
    .option('--list-separator <char>', 'separator of list cells such as accountIds in CSV (default ;)')
    .option('--decimal-comma', 'numbers are written with a decimal comma: 1.234,50 is 1234.5 (a ; file needs it or --no-decimal-comma for 1.234)')
    .option('--no-decimal-comma', 'numbers are written with a decimal point: 1.234 is 1.234, and 1,5 is refused')
    .option('--date-format <format>', 'dates that are not ISO 8601 are written in this order: DD.MM.YYYY, MM/DD/YYYY, DD.MM.YYYY HH:mm')
    .addOption(
      new Option(
        '--types <policy>',
        "trait cells: auto (default: by Vitally's trait catalogue, else a CSV column's first 1000 values), vitally (by the catalogue only) or as-read (typed only by --map)",
      ).choices(['auto', 'vitally', 'as-read']),
    )
    .option('--strict-traits', 'a column mapped to a trait key Vitally does not know stops the run before any row is sent (exit 2), instead of a warning')
    .option('--refresh-schema', 'ask Vitally for its trait catalogue again instead of using the stored copy (kept a day)')
    .option('--custom-fields <file>', 'read the trait catalogue from this JSON file instead of Vitally (with --sandbox, the sandbox serves it too)')
    .optionsGroup('Output:')
    .option('--json', 'print one NDJSON result per row and a final {"summary": ...} line')
    .option('-q, --quiet', 'print failed rows and the summary only')
    .option('--rejects <file>', 'write every failed row, with its row number and error, as NDJSON')
    .option('--log-requests <file>', 'write every request and answer (headers, bodies, status, timing, attempt) as NDJSON, secrets redacted')
    .option('-n, --dry-run', 'send nothing; print the requests a real run would send')
    .optionsGroup('Connection:')
    .option('--config <file>', 'the config file for connection settings (default: vitally-sync.config.json, .yaml or .yml here, if any)')
    .option('--no-config', 'ignore any config file')
    .option('--token-file <path>', 'read the REST API token from a file (default: VITALLY_API_TOKEN)')
    .option('--region <region>', 'us or eu (default: VITALLY_REGION or us)')
    .option('--subdomain <name>', 'your Vitally subdomain, required for US (default: VITALLY_SUBDOMAIN)')
    .option('--base-url <url>', 'override the REST host (default: VITALLY_BASE_URL)')
    .option('--sandbox', 'send to an in-process sandbox instead of Vitally (no account needed)')
    .optionsGroup('Events and the Analytics API:')
    .option(
      '--via <api>',
      `${pluralList((o) => o.analytics !== undefined && o.transport !== 'analytics')} in upsert mode: rest (default, one record a request) or analytics (batches of up to 100)`,
    )
    .option('--batch-size <n>', 'messages per Analytics batch request (default and maximum 100)')
    .option('--event <name>', 'events: one event name for every row')
    .option('--event-column <column>', 'events: the column holding the event name')
    .option('--timestamp-column <column>', 'events: the column holding the time (ISO 8601, epoch seconds or ms; default: when read)')
    .option('--unlink-removed', 'users --via analytics: unlink accounts that were sent for a user before and are gone from its row')
    .addOption(
      new Option('--links <how>', "users: add the row's accounts and organizations to the user's (default add: one GET per user), or replace them").choices([
        'add',
        'replace',
      ]),
    )
    .option('--analytics-token-file <path>', 'read the Analytics API token from a file (default: VITALLY_ANALYTICS_TOKEN)')
    .option('--analytics-base-url <url>', 'the Analytics API host (default: VITALLY_ANALYTICS_BASE_URL, or https://<subdomain>.api.vitally.io)')
    .optionsGroup('Comparing with Vitally:')
    .addOption(
      new Option(
        '--compare <with>',
        'what rows are compared with before sending: state (the state store), vitally (a listing of the workspace, 100 records a request) or none; default: chosen by the run (docs/compare.md)',
      ).choices(['state', 'vitally', 'none']),
    )
    .option('--verify', 'with --via analytics: look for the rows accepted in Vitally afterwards, and fail those that did not land')
    .option('--verify-timeout <seconds>', 'with --verify: how long to look for them (default 120)')
    .addOption(new Option('--verify-interval-ms <ms>', "the wait before --verify's first check (default 1000)").hideHelp())
    .optionsGroup('The state store:')
    .option('--state <path>', 'the state store: what was sent, so unchanged rows are skipped (default .vitally-sync/state.db)')
    .option('--no-state', 'do not read or write the state store: send every row')
    .option('--full', 'send every row even if unchanged since the last run, and refresh the state store')
    .option('--delete-missing', `delete records synced earlier from this file that are no longer in it (${pluralList((o) => o.kind === 'keyed')})`)
    .option(
      '--scope <name>',
      "the name the state store keeps this input's records under, so dated or renamed files are one source for --delete-missing (default: the file's path; run: the sync's name)",
    )
    .option('--max-deletes <n>', 'with --delete-missing: refuse (exit 2, nothing deleted) above this many deletions (default 100)')
    .option(
      '--max-delete-share <percent>',
      'with --delete-missing: refuse (exit 2, nothing deleted) above this share of the records synced from the file (default 20)',
    )
    .optionsGroup('Pacing and retries:')
    .option('-c, --concurrency <n>', 'requests in flight at most; fewer are kept, by the measured latency (default 32)')
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
  return push;
}
