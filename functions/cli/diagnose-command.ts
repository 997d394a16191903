// `podreach diagnose --cluster ID --to IP[:PORT[/PROTO]] [--from POD_IP] [--json]`: locally on the --state directory
// (the sandbox by default, --provider like run), or with --aws on the deployed table (--table, else the stateful
// stack's TableName output) and the clouds each account names. Read-only: nothing is applied or recorded.
// Exit 0 every hop ok (manual checks and unknowns listed), 1 a hop missing or in conflict, 2 bad input.
import { createProviderRegistry } from '../adapters/provider-registry.js';
import { diagnose, type DiagnoseDeps } from '../application/diagnose.js';
import { parseDestination, type Diagnosis } from '../domain/diagnose/index.js';
import { InvalidInputError } from '../domain/errors.js';
import { renderDiagnosis } from './diagnose-report.js';
import { credentialsOption, providerOption } from './local-runtime.js';
import { existingStateDirectory } from './state-dir.js';

export interface DiagnoseFlags {
  cluster: string;
  to: string;
  from?: string;
  json?: boolean;
  state: string;
  provider?: string;
  aws?: boolean;
  table?: string;
  /** With --aws: the region and the ~/.aws profile of the table and stack (as for trigger --aws). */
  region?: string;
  awsProfile?: string;
  /** Credentials per cloud and account (as for run); default PODREACH_CREDENTIALS_FILE. */
  credentials?: string;
}

/** Exit 0 when every hop is ok (manual checks do not fail), 1 when one is missing or in conflict. */
export function diagnosisExitCode(diagnosis: Diagnosis): number {
  return diagnosis.reachable ? 0 : 1;
}

function print(diagnosis: Diagnosis, json: boolean | undefined): void {
  process.stdout.write(`${json ? JSON.stringify(diagnosis, null, 2) : renderDiagnosis(diagnosis)}\n`);
}

const request = (flags: DiagnoseFlags) => ({ clusterId: flags.cluster, to: flags.to, ...(flags.from !== undefined ? { from: flags.from } : {}) });

async function diagnoseLocally(flags: DiagnoseFlags): Promise<Diagnosis> {
  const override = providerOption(flags.provider);
  const credentials = credentialsOption(flags.credentials);
  // a directory that holds no state cannot know the cluster; reading it creates nothing
  const stateDir = existingStateDirectory(flags.state);
  const { startLocalDynamo } = await import('../adapters/dynamodb/local-dynamo.js');
  const local = await startLocalDynamo(stateDir);
  try {
    const providers = await createProviderRegistry({ store: local.store, ...(override ? { override } : {}), ...(credentials ? { credentials } : {}), sandbox: true });
    const { preflight } = await import('../adapters/preflight.js');
    return await diagnose(
      request(flags),
      {
        store: local.store,
        providers,
        // the clouds --provider reads (every account's own with "event"), checked as run checks them
        preflight: (accounts) =>
          preflight(
            accounts.map((account) => ({ ...account, provider: override ?? account.provider })),
            { ...(override && override !== 'sandbox' ? { providerNote: `--provider ${override} reads ${override} in every account's region` } : {}), ...(credentials ? { credentials } : {}) },
          ),
      },
    );
  } finally {
    await local.close();
  }
}

async function diagnoseOnAws(flags: DiagnoseFlags): Promise<Diagnosis> {
  const { awsStateDeps } = await import('./aws-diagnose.js');
  const credentials = credentialsOption(flags.credentials);
  const deps: DiagnoseDeps = await awsStateDeps(flags, credentials);
  return diagnose(request(flags), deps);
}

export async function diagnoseCommand(flags: DiagnoseFlags): Promise<number> {
  // the destination is bad input whatever else is wrong: said before any account, table or stack is looked at
  parseDestination(flags.to);
  if (flags.aws && flags.provider !== undefined) throw new InvalidInputError('--provider', 'with --aws each account uses the provider its cluster names');
  if (!flags.aws && (flags.table !== undefined || flags.region !== undefined || flags.awsProfile !== undefined)) {
    throw new InvalidInputError(flags.table !== undefined ? '--table' : flags.region !== undefined ? '--region' : '--aws-profile', 'is for --aws (the deployed table)');
  }
  const diagnosis = flags.aws ? await diagnoseOnAws(flags) : await diagnoseLocally(flags);
  print(diagnosis, flags.json);
  return diagnosisExitCode(diagnosis);
}
