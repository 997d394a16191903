// `podreach watch`: a Kubernetes node watcher that emits podreach's events. The cluster's identity comes from
// flags or a config file; the events go to the EventBridge bus (--bus), through the local pipeline (--state DIR,
// the code path of `podreach run`), or to stdout as JSON lines (--dry-run). Health and readiness over HTTP;
// SIGTERM / SIGINT stop it cleanly (the pending batch is sent, the resume point saved, the lease handed back).
// The flags are declared here; the command itself (watch-run.ts) loads @kubernetes/client-node only when used,
// so the other commands do not pay its start-up time.
import { Command, Option } from 'commander';

export interface WatchFlags {
  config?: string;
  clusterId?: string;
  provider?: string;
  region?: string;
  vpcId?: string;
  networkModel?: string;
  podCidr?: string[];
  serviceCidr?: string;
  profileName?: string;
  labelKey?: string[];
  kubeconfig?: string;
  context?: string;
  bus?: string;
  busRegion?: string;
  awsProfile?: string;
  state?: string;
  dryRun?: boolean;
  profile?: string;
  sandbox?: string;
  adapter?: string;
  watchState?: string;
  batchQuiet?: string;
  batchMax?: string;
  watchTimeout?: string;
  healthAddress: string;
  healthPort: string;
  leaderElect?: boolean;
  leaseNamespace?: string;
  leaseName: string;
  leaseIdentity?: string;
  json?: boolean;
}

const collect = (value: string, previous: string[] | undefined) => [...(previous ?? []), value];

export function registerWatchCommand(program: Command, setExitCode: (code: number) => void): void {
  program
    .command('watch')
    .description('watch a Kubernetes cluster\'s nodes and emit podreach events (Node Added / Removed, Cluster CIDR Changed)')
    .option('--config <file>', 'watch config (YAML or JSON): cluster identity, labelKeys, batch timing')
    .option('--cluster-id <id>', 'cluster id (overrides the config)')
    .option('--provider <name>', 'the cluster\'s cloud: aws, tencent, alibaba, huawei, sandbox')
    .option('--region <region>', 'the cluster\'s region')
    .option('--vpc-id <id>', 'the cluster\'s VPC')
    .option('--network-model <model>', 'overlay, vpc-router or eni')
    .option('--pod-cidr <cidr>', 'a pod CIDR known up front (repeatable); node pod CIDRs inside it add nothing', collect)
    .option('--service-cidr <cidr>', 'the cluster\'s service CIDR')
    .option('--profile-name <name>', 'the connectivity profile the cluster uses (by name)')
    .option('--label-key <key>', 'forward only these node labels (repeatable; default: all)', collect)
    .option('--kubeconfig <file>', 'kubeconfig (default: KUBECONFIG, ~/.kube/config, or the in-cluster service account)')
    .option('--context <name>', 'kubeconfig context')
    .addOption(new Option('--bus <name>', 'put the events on this EventBridge bus').conflicts(['state', 'dryRun']))
    .option('--bus-region <region>', 'with --bus: the bus\'s region (default: AWS_REGION / AWS_DEFAULT_REGION, else the AWS profile\'s)')
    .option('--aws-profile <name>', 'with --bus: AWS profile of ~/.aws/config (default: AWS_PROFILE, else the default chain)')
    .addOption(new Option('--state <dir>', 'run the events through the local pipeline on this state directory').conflicts(['dryRun']))
    .option('--dry-run', 'print the events (JSON lines of EventBridge envelopes) instead of sending them')
    .option('--profile <file>', 'with --state: connectivity profile stored in the state')
    .option('--sandbox <file>', 'with --state: seed the sandbox account')
    .option('--adapter <name>', 'with --state: the provider adapter for every account (the --provider of `podreach run`)')
    .option('--watch-state <file>', 'resume point and last sent view (default: DIR/watch/<cluster>.json with --state, .podreach/watch/<cluster>.json with --bus, none with --dry-run)')
    .option('--batch-quiet <ms>', 'send a batch once changes were quiet this long (default: the config\'s batch.quietMs, else 5000)')
    .option('--batch-max <ms>', 'send a batch at the latest this long after its first change (default: the config\'s batch.maxDelayMs, else 30000)')
    .option('--watch-timeout <seconds>', 'each watch asks the API server to end it after this long; one silent past it (and a grace of half of it, at most 30 s) is taken as a dead connection and resumed (default: a random 300-599)')
    .option('--health-address <address>', 'bind address of /healthz and /readyz', '127.0.0.1')
    .option('--health-port <port>', 'port of /healthz and /readyz (0: any free port)', '8081')
    .option('--leader-elect', 'hold a coordination.k8s.io Lease while watching (one active watcher per cluster)')
    .option('--lease-namespace <ns>', 'namespace of the Lease (default: POD_NAMESPACE, else the service account\'s, else default)')
    .option('--lease-name <name>', 'name of the Lease', 'podreach-watch')
    .option('--lease-identity <id>', 'this candidate\'s identity (default: POD_NAME, else the host name)')
    .option('--json', 'with --state: print each batch\'s report as JSON')
    .action(async (flags: WatchFlags) => {
      const { watchCommand } = await import('./watch-run.js');
      setExitCode(await watchCommand(flags));
    });
}

