// Faults of the simulated cloud API, so the paths real clouds exercise (throttling, 5xx, timeouts, a call that
// takes effect but whose response is lost, a process killed mid-apply) run locally, replayably: every draw comes
// from a seeded generator. Set in the sandbox file's `spec.faults` (kept in the account for later runs) or in
// PODREACH_SANDBOX_FAULTS (JSON; wins over the file), see docs/sandbox.md.
import { z } from 'zod';
import { InvalidInputError } from '../../domain/errors.js';
import { SandboxApiError } from './errors.js';

/** The simulated API's operations, named like a cloud's actions (per-API overrides use these names). */
export const SANDBOX_APIS = [
  'Describe',
  'CreateRoute',
  'ReplaceRoute',
  'DeleteRoute',
  'ReplaceSelectors',
  'ReplaceDxPrefixes',
  'ReplaceWhitelist',
  'CreateCcnRoute',
  'SetCcnRouteEnabled',
  'DeleteCcnRoute',
  'AuthorizeIngress',
  'RevokeIngress',
  'AssociateRouteTable',
  'DisassociateRouteTable',
] as const;
export type SandboxApi = (typeof SANDBOX_APIS)[number];

const rate = z.number().min(0, 'a rate from 0 to 1').max(1, 'a rate from 0 to 1');

const rateSchema = z
  .object({
    /** Refused before it takes effect with Throttling (like RequestLimitExceeded). */
    throttle: rate.default(0),
    /** Refused before it takes effect with InternalError (HTTP 5xx). */
    serverError: rate.default(0),
    /** Takes effect, then the caller gets InternalError: the response was lost (writes only). */
    lostResponse: rate.default(0),
    /** The caller gives up with RequestTimeout; the call took effect or not (half each). */
    timeout: rate.default(0),
    /** Every call waits this long first. */
    latencyMs: z.number().int().min(0).max(60_000).default(0),
  })
  .strict();

export const faultsSchema = rateSchema
  .extend({
    /** The generator's seed: the same seed and the same calls give the same faults. */
    seed: z.number().int().default(1),
    /** Per-API rates, replacing the defaults above for that API. */
    apis: z.partialRecord(z.enum(SANDBOX_APIS), rateSchema.partial()).default({}),
    /**
     * A testing aid: the process is killed (SIGKILL) right after the `call`-th call of `api` took effect, as a run
     * killed mid-apply would be.
     */
    killAfter: z.object({ api: z.enum(SANDBOX_APIS), call: z.number().int().min(1) }).strict().optional(),
  })
  .strict();

export type SandboxFaults = z.infer<typeof faultsSchema>;
export type SandboxFaultsInput = z.input<typeof faultsSchema>;

export const FAULTS_ENV = 'PODREACH_SANDBOX_FAULTS';

/** The faults PODREACH_SANDBOX_FAULTS sets, or undefined. A malformed value is an InvalidInputError naming it. */
export function faultsFromEnvironment(env: NodeJS.ProcessEnv = process.env): SandboxFaults | undefined {
  const text = env[FAULTS_ENV];
  if (text === undefined || text.trim() === '') return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new InvalidInputError(FAULTS_ENV, `not valid JSON (${(error as Error).message})`);
  }
  const parsed = faultsSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new InvalidInputError(`${FAULTS_ENV}${issue?.path.length ? `.${issue.path.join('.')}` : ''}`, issue?.message ?? 'invalid');
  }
  return parsed.data;
}

/** mulberry32: a small seeded generator (numbers in [0, 1)); replayability is all that is asked of it. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface FaultCounts {
  throttled: number;
  serverErrors: number;
  lostResponses: number;
  timeouts: number;
}

/** Draws the faults of each call; `run` wraps one API call. */
export class FaultInjector {
  private readonly draw: () => number;
  private readonly calls = new Map<SandboxApi, number>();
  readonly counts: FaultCounts = { throttled: 0, serverErrors: 0, lostResponses: 0, timeouts: 0 };

  constructor(
    private readonly faults: SandboxFaults,
    private readonly kill: () => void = () => process.kill(process.pid, 'SIGKILL'),
  ) {
    this.draw = seededRandom(faults.seed);
  }

  private rates(api: SandboxApi) {
    return { ...this.faults, ...this.faults.apis[api] };
  }

  async run<T>(api: SandboxApi, mutating: boolean, call: () => Promise<T>): Promise<T> {
    const rates = this.rates(api);
    if (rates.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, rates.latencyMs));
    if (this.draw() < rates.throttle) {
      this.counts.throttled += 1;
      throw new SandboxApiError('Throttling', `${api}: request rate exceeded`);
    }
    if (this.draw() < rates.serverError) {
      this.counts.serverErrors += 1;
      throw new SandboxApiError('InternalError', `${api}: the service had an internal error`);
    }
    const timedOut = this.draw() < rates.timeout;
    if (timedOut && this.draw() < 0.5) {
      this.counts.timeouts += 1;
      throw new SandboxApiError('RequestTimeout', `${api}: no response in time`);
    }
    const result = await call();
    const count = (this.calls.get(api) ?? 0) + 1;
    this.calls.set(api, count);
    if (this.faults.killAfter && this.faults.killAfter.api === api && this.faults.killAfter.call === count) this.kill();
    if (timedOut) {
      this.counts.timeouts += 1;
      throw new SandboxApiError('RequestTimeout', `${api}: no response in time (the call took effect)`);
    }
    if (mutating && this.draw() < rates.lostResponse) {
      this.counts.lostResponses += 1;
      throw new SandboxApiError('InternalError', `${api}: the response was lost (the call took effect)`);
    }
    return result;
  }
}
