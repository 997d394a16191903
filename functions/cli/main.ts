// The `podreach` command (CONTRACT.md): run, plan, state, trigger, emit, profile put, sandbox show, permissions, demo.
// Exit codes: 0 done (even with blocked changes), 2 invalid input (nothing applied), 1 a change or flow failed.
import '../adapters/flow-runner/polyfills.js';
import { Command, CommanderError, Option } from 'commander';
import { parseClusterEventJson } from '../../events/parse.js';
import { InvalidInputError } from '../domain/errors.js';
import { ClusterDeletedError, UnknownClusterError } from '../domain/facts.js';
import { FLOWS } from '../domain/model.js';
import { runDemo } from './demo.js';
import { emitCommand, planCommand, profilePutCommand, runCommand, sandboxShowCommand, stateCommand, triggerCommand } from './commands.js';
import { permissionsCommand } from './permissions-command.js';
import { readTextFile } from './local-runtime.js';

export const DEFAULT_STATE_DIR = '.podreach';

export function buildProgram(): Command {
  const program = new Command('podreach')
    .description('Makes Kubernetes container networks reachable across hybrid clouds.')
    .exitOverride()
    .showHelpAfterError()
    .configureOutput({ writeErr: (text) => process.stderr.write(text) });

  const localOptions = (command: Command) =>
    command
      .option('--profile <file>', 'connectivity profile (YAML or JSON), stored in the state for later runs')
      .option('--state <dir>', 'local state directory', DEFAULT_STATE_DIR)
      .option('--provider <name>', 'adapter for every account: sandbox (default), aws, tencent, alibaba, huawei, or "event" to use the provider each event names')
      .option('--sandbox <file>', 'seed the sandbox account with existing resources (YAML or JSON)')
      .option('--credentials <file>', 'credentials per cloud and account (the cloud credentials secret\'s JSON, or YAML; default $PODREACH_CREDENTIALS_FILE)')
      .option('--json', 'print the JSON report');

  localOptions(program.command('run').argument('<event-file>', 'event JSON (EventBridge envelope or bare detail)').description('process one event end to end')).action(
    async (file: string, options) => {
      const event = parseClusterEventJson(readTextFile(file, 'event-file'), file);
      process.exitCode = await runCommand(event, options);
    },
  );
  localOptions(program.command('plan').argument('<event-file>').description('plan one event; applies nothing')).action(async (file: string, options) => {
    const event = parseClusterEventJson(readTextFile(file, 'event-file'), file);
    process.exitCode = await planCommand(event, options);
  });
  program
    .command('state')
    .description('what podreach holds in place now, per cluster: each entry, the clusters that claim it, since when')
    .option('--cluster <id>', 'one cluster')
    .option('--history', 'also the change ledger: every change and what became of it')
    .option('--state <dir>', 'local state directory', DEFAULT_STATE_DIR)
    .option('--json', 'print JSON')
    .action(async (options) => {
      process.exitCode = await stateCommand(options);
    });
  localOptions(
    program
      .command('trigger')
      .argument('<flow>', `one of ${FLOWS.join(', ')}`)
      .requiredOption('--cluster <id>', 'cluster id')
      .option('--aws', 'start the deployed state machine (Step Functions) instead of the local one')
      .option('--state-machine-arn <arn>', 'with --aws: the state machine (default: found by name podreach-<flow>)')
      .option('--request-id <id>', 'with --aws: starts with the same id are one execution (default: the same five-minute window is)')
      .description('run one flow by hand'),
  ).action(async (flow: string, options) => {
    if (!(FLOWS as readonly string[]).includes(flow)) throw new InvalidInputError('flow', `unknown flow "${flow}" (expected one of: ${FLOWS.join(', ')})`);
    process.exitCode = await triggerCommand(flow as (typeof FLOWS)[number], options);
  });
  program
    .command('emit')
    .argument('<event-file>')
    .option('--bus <name>', 'event bus', 'podreach')
    .option('--json', 'print JSON')
    .description('validate an event and put it on the EventBridge bus')
    .action(async (file: string, options) => {
      const event = parseClusterEventJson(readTextFile(file, 'event-file'), file);
      process.exitCode = await emitCommand(event, options);
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
    .action((options) => {
      process.exitCode = permissionsCommand(options);
    });
  const sandbox = program.command('sandbox').description('the simulated account local runs use');
  sandbox
    .command('show')
    .description("the sandbox account's resources and entries, podreach's (with the cluster and change) apart from foreign ones")
    .option('--state <dir>', 'local state directory', DEFAULT_STATE_DIR)
    .option('--json', 'print JSON')
    .action(async (options) => {
      process.exitCode = await sandboxShowCommand(options);
    });
  const profile = program.command('profile').description('connectivity profiles');
  profile
    .command('put')
    .argument('<file>')
    .option('--state <dir>', 'local state directory', DEFAULT_STATE_DIR)
    .addOption(new Option('--table <name>', 'store in this DynamoDB table (AWS) instead of the local state'))
    .description('store a profile')
    .action(async (file: string, options) => {
      process.exitCode = await profilePutCommand(file, options);
    });
  program
    .command('demo')
    .description('the sample events through the whole pipeline against the sandbox (npm start)')
    .option('--state <dir>', 'state directory (emptied first)', '.podreach/demo')
    .option('--json', 'print the JSON reports')
    .action(async (options) => {
      process.exitCode = await runDemo(options);
    });
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // help and version exit 0; usage errors are invalid input
      return error.exitCode === 0 ? 0 : 2;
    }
    if (error instanceof InvalidInputError || error instanceof UnknownClusterError || error instanceof ClusterDeletedError) {
      process.stderr.write(`error: ${error.message}\n`);
      return 2;
    }
    process.stderr.write(`error: ${(error as Error).name}: ${(error as Error).message}\n`);
    if (process.env.PODREACH_LOG === 'debug') process.stderr.write(`${(error as Error).stack}\n`);
    return 1;
  }
}
