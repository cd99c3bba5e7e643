/**
 * The command line: commander declarations only. A command's module is loaded when it runs, so a run
 * pays only for what it uses (a dry run loads no HTTP client unless it reads Vitally's trait catalogue,
 * and SQLite only when a state file exists). Each command is a plain async function of typed options;
 * one top-level catch maps errors to the documented exit codes.
 */
import { Argument, Command, Option } from 'commander';
import { VERSION } from '../version.js';
import { EXIT, processIO, type CliIO } from './io.js';
import { registerDoctorCommand } from './doctor.js';
import { APPEND_ONLY, collect, FORMAT_HELP, INPUTS, readerOptions } from './help.js';
import { registerDiffCommand } from './diff-command.js';
import { registerPushCommand } from './push-command.js';
import { jsonWanted, reportError } from './report.js';
import { registerRunCommand } from './run.js';
import { guardIO } from './secret-io.js';
import { objectList } from '../objects/index.js';
import type { SandboxFlags } from './sandbox.js';
import type { StateFlags } from './state.js';

/** `json`: the command line asks for JSON (--json), so commander's own errors are left to reportError. */
export function buildProgram(io: CliIO, exit: (code: number) => void, json = false): Command {
  const program = new Command('vitally-sync')
    .description('Stream rows from files or a database query into Vitally: paced, retried, one result per row.')
    .version(VERSION)
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => (json ? undefined : io.stderr.write(s)),
    })
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText(
      'after',
      `
Examples:
  $ vitally-sync doctor                                  # check token, region, subdomain, hosts
  $ vitally-sync push accounts.csv --object account      # one file, one object type
  $ vitally-sync diff accounts.csv --object account      # what that push would change in Vitally
  $ vitally-sync run --all                               # the syncs of vitally-sync.config.json
  $ vitally-sync demo                                    # example files, and commands to try them
  $ vitally-sync push fixtures/accounts.csv --object account --sandbox    # no Vitally account needed

Run "vitally-sync <command> --help" for a command's options. Docs: README.md and docs/.`,
    );

  registerPushCommand(program, io, exit);
  registerDiffCommand(program, io, exit);
  registerRunCommand(program, io, exit);
  registerDoctorCommand(program, io, exit);

  program
    .command('demo')
    .description('Write the example files of the quick start into a folder, and print the commands to try them against a sandbox')
    .argument('[dir]', 'the folder (default vitally-sync-demo); the files go in its fixtures/')
    .option('--force', 'write over example files already there')
    .addHelpText('after', '\nExamples:\n  $ vitally-sync demo\n  $ vitally-sync demo . && vitally-sync push fixtures/accounts.csv --object account --sandbox')
    .action(async (dir: string | undefined, opts: { force?: boolean }) => exit(await (await import('./demo.js')).demoCommand(dir, opts, io)));

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
      .option('--no-state', 'keep no copy of the catalogue')
      .option('--timeout <ms>', 'time allowed for each answer of Vitally, body included (default 30000)')
      .option('--max-retries <n>', 'retries of a request that got a 429, a 5xx or no answer (default 5)');

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
        .option('-f, --format <format>', FORMAT_HELP)
        .option('--decimal-comma', 'numbers are written with a decimal comma (1.234,50): typed so, and kept in the sync')
        .option('--no-decimal-comma', 'numbers are written with a decimal point (1.234): kept in the sync')
        .option('--date-format <format>', 'dates are written in this order (DD.MM.YYYY, MM/DD/YYYY): typed so, and kept in the sync'),
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

  program
    .command('completion')
    .description('Print a shell completion script (bash, zsh or fish), made from the commands and options of this copy')
    .addArgument(new Argument('<shell>', 'bash, zsh or fish').choices(['bash', 'zsh', 'fish']))
    .addHelpText(
      'after',
      '\nExamples:\n  $ source <(vitally-sync completion bash)        # in ~/.bashrc\n  $ source <(vitally-sync completion zsh)         # in ~/.zshrc\n  $ vitally-sync completion fish > ~/.config/fish/completions/vitally-sync.fish',
    )
    .action(async (shell: 'bash' | 'zsh' | 'fish') => exit((await import('./completion.js')).completionCommand(shell, program, io)));

  return program;
}

/** Run the CLI; resolves to the exit code (never calls process.exit itself). */
export async function main(argv: string[], given: CliIO = processIO()): Promise<number> {
  // Everything any command prints goes through the run's secrets.
  const io = guardIO(given);
  const json = jsonWanted(argv);
  let code: number = EXIT.ok;
  const program = buildProgram(
    io,
    (c) => {
      code = c;
    },
    json,
  );
  try {
    await program.parseAsync(argv, { from: 'user' });
    return code;
  } catch (err) {
    return reportError(err, io, json);
  }
}
