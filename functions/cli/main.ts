// The `podreach` command (CONTRACT.md): run, plan, state, trigger, diagnose, emit, profile put, sandbox show, permissions, demo, watch.
// Exit codes: 0 done (even with blocked changes), 2 invalid input (nothing applied or recorded), 1 a change or
// flow failed. Bad input never prints a stack trace (PODREACH_LOG=debug shows one for unexpected errors).
import '../adapters/flow-runner/polyfills.js';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError, Option } from 'commander';
import { parseClusterEventJson } from '../../events/parse.js';
import { InvalidInputError } from '../domain/errors.js';
import { LIMITS } from '../domain/limits.js';
import { FLOWS } from '../domain/model.js';
import { readTextFile } from './read-text-file.js';
import { registerWatchCommand } from './watch-command.js';

// The commands, and the local runtime they open (dynalite, the flow engine, the handlers), are imported when one
// runs, after its input was read and checked (read it before calling this): a refused input loads none of them.
const commands = () => import('./commands.js');

export const DEFAULT_STATE_DIR = '.podreach';

/**
 * Errors that mean the input (or its setting) is wrong, not that a change failed: exit 2. By name, so errors of
 * modules this one does not import (an unknown cluster, a deleted one, a profile not stored) are matched too.
 */
export const INPUT_ERROR_NAMES: ReadonlySet<string> = new Set([
  'InvalidInputError',
  'PreflightError',
  'UnknownClusterError',
  'ClusterDeletedError',
  'UnknownProfileError',
]);

export function isInputError(error: unknown): error is Error {
  return error instanceof InvalidInputError || (error instanceof Error && INPUT_ERROR_NAMES.has(error.name));
}

function packageVersion(): string {
  const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
  return (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;
}

const HELP_FOOTER = `
Examples:
  podreach run events/samples/cluster-created.json --profile examples/profiles/demo.yaml --state /tmp/pr
  podreach plan events/samples/cluster-cidr-changed.json --state /tmp/pr --json
  podreach state --state /tmp/pr --cluster cls-demo
  podreach trigger vpn --cluster cls-demo --state /tmp/pr
  podreach drift --state /tmp/pr                         (exit 1 when something podreach keeps was changed by hand)
  podreach reconcile --state /tmp/pr
  podreach diagnose --cluster cls-demo --to 10.20.0.10:443 --state /tmp/pr   (exit 1 when a hop is missing or in conflict)
  podreach run EVENT --provider tencent --state /tmp/pr     (credentials: README "Providers")
  podreach emit events/samples/cluster-created.json --region us-east-1
  podreach profile put examples/profiles/demo.yaml --table TABLE --region us-east-1

Exit codes:
  0  done (even with blocked changes)
  1  a change or flow failed (recorded; a re-run resumes and applies nothing twice)
  2  invalid input or setting (a bad event, profile, seed or flag, an unknown cluster or profile, a cloud that
     fails its preflight): nothing applied or recorded

Limits: an event is at most ${LIMITS.eventBytes / 1024} KB, a cluster at most ${LIMITS.podCidrsPerCluster} pod CIDRs and ${LIMITS.nodesPerCluster} nodes (README "Limits").
`;

export function buildProgram(setExitCode: (code: number) => void): Command {
  const program = new Command('podreach')
    .description('Makes Kubernetes container networks reachable across hybrid clouds.')
    .version(packageVersion(), '-V, --version', 'print the version')
    .exitOverride()
    .showHelpAfterError('(podreach --help for the commands, examples and exit codes)')
    .addHelpText('after', HELP_FOOTER)
    .configureOutput({ writeOut: (text) => process.stdout.write(text), writeErr: (text) => process.stderr.write(text) });

  const localOptions = (command: Command) =>
    command
      .option('--profile <file>', 'connectivity profile (YAML or JSON), stored in the state for later runs')
      .option('--state <dir>', 'local state directory', DEFAULT_STATE_DIR)
      .option('--provider <name>', 'adapter for every account: sandbox (default), aws, tencent, alibaba, huawei, or "event" to use the provider each event names')
      .option('--sandbox <file>', 'seed the sandbox account with existing resources (YAML or JSON)')
      .option('--credentials <file>', 'credentials per cloud and account (the cloud credentials secret\'s JSON, or YAML; default $PODREACH_CREDENTIALS_FILE)')
      .option('--json', 'print the JSON report');
  const awsOptions = (command: Command) =>
    command
      .option('--region <region>', 'AWS region (default: AWS_REGION, AWS_DEFAULT_REGION, or the profile\'s)')
      .option('--aws-profile <name>', 'AWS profile of ~/.aws/config (default: AWS_PROFILE, else the default chain)');
  const readEvent = (file: string) => parseClusterEventJson(readTextFile(file, 'event-file', LIMITS.eventBytes * 64), file);

  localOptions(program.command('run').argument('<event-file>', 'event JSON (EventBridge envelope or bare detail)').description('process one event end to end')).action(
    async (file: string, options) => {
      const event = readEvent(file);
      setExitCode(await (await commands()).runCommand(event, options));
    },
  );
  localOptions(program.command('plan').argument('<event-file>').description('plan one event; applies nothing')).action(async (file: string, options) => {
    const event = readEvent(file);
    setExitCode(await (await commands()).planCommand(event, options));
  });
  program
    .command('state')
    .description('what podreach holds in place now, per cluster: each entry, the clusters that claim it, since when')
    .option('--cluster <id>', 'one cluster')
    .option('--history', 'also the change ledger: every change and what became of it')
    .option('--state <dir>', 'local state directory', DEFAULT_STATE_DIR)
    .option('--json', 'print JSON')
    .action(async (options) => {
      setExitCode(await (await commands()).stateCommand(options));
    });
  program
    .command('approve')
    .argument('<execution>', 'the execution that held the changes (the run names it)')
    .option('--reject', 'reject them: they stay blocked, the account is left as it is')
    .option('--state <dir>', 'local state directory', DEFAULT_STATE_DIR)
    .option('--provider <name>', 'adapter for every account: sandbox (default), aws, tencent, alibaba, huawei, or "event"')
    .option('--json', 'print the JSON report')
    .description('approve (or reject) the changes an approval policy held; approved ones are applied at once')
    .action(async (execution: string, options) => {
      setExitCode(await (await commands()).approveCommand(execution, options));
    });
  const driftOptions = (command: Command) =>
    command
      .option('--cluster <id>', 'one cluster')
      .option('--state <dir>', 'local state directory', DEFAULT_STATE_DIR)
      .option('--provider <name>', 'adapter for every account: sandbox (default), aws, tencent, alibaba, huawei, or "event"')
      .option('--json', 'print JSON');
  driftOptions(program.command('drift').description('entries podreach keeps in place that someone removed or changed (read-only); exit 1 when any')).action(
    async (options) => {
      const { driftCommand } = await import('./drift-commands.js');
      setExitCode(await driftCommand(options));
    },
  );
  driftOptions(program.command('reconcile').description('every flow of every known cluster again (repairs drift per the profile), one notification per cluster')).action(
    async (options) => {
      const { reconcileCommand } = await import('./drift-commands.js');
      setExitCode(await reconcileCommand(options));
    },
  );
  awsOptions(
    localOptions(
      program
        .command('trigger')
        .argument('<flow>', `one of ${FLOWS.join(', ')}`)
        .requiredOption('--cluster <id>', 'cluster id')
        .option('--aws', 'start the deployed state machine (Step Functions) instead of the local one')
        .option('--state-machine-arn <arn>', 'with --aws: the state machine (default: found by name podreach-<flow>)')
        .option('--request-id <id>', 'with --aws: starts with the same id are one execution (default: the same five-minute window is)')
        .description('run one flow by hand'),
    ),
  ).action(async (flow: string, options) => {
    if (!(FLOWS as readonly string[]).includes(flow)) throw new InvalidInputError('flow', `unknown flow "${flow}" (expected one of: ${FLOWS.join(', ')})`);
    setExitCode(await (await commands()).triggerCommand(flow as (typeof FLOWS)[number], options));
  });
  awsOptions(
    program
      .command('emit')
      .argument('<event-file>')
      .option('--bus <name>', 'event bus', 'podreach')
      .option('--json', 'print JSON')
      .description('validate an event and put it on the EventBridge bus'),
  ).action(async (file: string, options) => {
    const event = readEvent(file);
    setExitCode(await (await commands()).emitCommand(event, options));
  });
  program
    .command('permissions')
    .description("the least-privilege policy podreach needs in a cloud, in that cloud's policy language, from the calls its adapter sends")
    .requiredOption('--provider <name>', 'aws, tencent, alibaba or huawei')
    .option('--flows <list>', `comma-separated flows (default: all): ${FLOWS.join(', ')}`)
    .option('--mode <mode>', 'apply: read and write (podreach run); plan or diagnose: read only', 'apply')
    .option('--format <format>', 'text (what each kind needs) or json (the policy document)', 'text')
    .option('--assume-role <arn...>', 'roles of other accounts the principal assumes (sts:AssumeRole on exactly these)')
    .option('--with-dependencies', "also the actions the cloud's IAM requires beside podreach's calls (Huawei's dependencies)")
    .option('--account <id>', 'AWS: the account resource ARNs name (default *)')
    .option('--region <region>', 'AWS: the region resource ARNs name (default *)')
    .action(async (options) => {
      const { permissionsCommand } = await import('./permissions-command.js');
      setExitCode(permissionsCommand(options));
    });
  const sandbox = program.command('sandbox').description('the simulated account local runs use');
  sandbox
    .command('show')
    .description("the sandbox account's resources and entries, podreach's (with the cluster and change) apart from foreign ones")
    .option('--state <dir>', 'local state directory', DEFAULT_STATE_DIR)
    .option('--json', 'print JSON')
    .action(async (options) => {
      setExitCode(await (await commands()).sandboxShowCommand(options));
    });
  awsOptions(
    program
      .command('diagnose')
      .description("walk the path from a cluster's pods to a destination, read-only: each hop ok / missing / conflict / unknown with its fix (exit 1 when a hop fails)")
      .requiredOption('--cluster <id>', 'cluster id')
      .requiredOption('--to <ip[:port[/proto]]>', 'the destination: an IP, optionally a port and tcp or udp (10.0.0.5:443/tcp)')
      .option('--from <pod-ip>', "one pod's IP (default: the cluster's container CIDRs)")
      .option('--state <dir>', 'local state directory', DEFAULT_STATE_DIR)
      .option('--provider <name>', 'adapter for every account, as for run: sandbox (default), aws, tencent, alibaba, huawei, or "event"')
      .option('--aws', 'read the deployed table (and the clouds each account names) instead of the local state')
      .option('--table <name>', 'with --aws: the DynamoDB table (default: the TableName output of the PodreachStateful stack)')
      .option('--credentials <file>', 'credentials per cloud and account, as for run (default $PODREACH_CREDENTIALS_FILE)')
      .option('--json', 'print JSON'),
  ).action(async (options) => {
    setExitCode(await (await import('./diagnose-command.js')).diagnoseCommand(options));
  });
  const profile = program.command('profile').description('connectivity profiles');
  awsOptions(
    profile
      .command('put')
      .argument('<file>')
      .option('--state <dir>', 'local state directory', DEFAULT_STATE_DIR)
      .addOption(new Option('--table <name>', 'store in this DynamoDB table (AWS) instead of the local state'))
      .description('store a profile'),
  ).action(async (file: string, options) => {
    setExitCode(await (await commands()).profilePutCommand(file, options));
  });
  program
    .command('demo')
    .description('the sample events through the whole pipeline against the sandbox (npm start)')
    .option('--state <dir>', 'state directory: one demo created (it is emptied first), or a new or empty one', '.podreach/demo')
    .option('--json', 'print the JSON reports')
    .action(async (options) => {
      setExitCode(await (await import('./demo.js')).runDemo(options));
    });
  registerWatchCommand(program, setExitCode);
  return program;
}

/** Runs the command line `argv` (node, script, args...) and returns the exit code; never throws. */
export async function main(argv: string[]): Promise<number> {
  let code = 0;
  const program = buildProgram((value) => {
    code = value;
  });
  try {
    await program.parseAsync(argv);
    return code;
  } catch (error) {
    if (error instanceof CommanderError) {
      // help and version exit 0; usage errors are invalid input
      return error.exitCode === 0 ? 0 : 2;
    }
    if (isInputError(error)) {
      process.stderr.write(`error: ${error.message}\n`);
      return 2;
    }
    const failure = error instanceof Error ? error : new Error(String(error));
    process.stderr.write(`error: ${failure.name}: ${failure.message}\n`);
    if (process.env.PODREACH_LOG === 'debug') process.stderr.write(`${failure.stack}\n`);
    return 1;
  }
}
