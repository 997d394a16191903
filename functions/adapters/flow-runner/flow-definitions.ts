// Reads the flow state machines out of a synthesized CloudFormation template: the ASL of each, with every
// function-ARN token replaced by a stable placeholder naming the handler, and which Task runs which handler.
// Pure (no aws-cdk-lib): used on in-process synthesis output and on what `cdk synth` writes to cdk.out alike.
import { FLOWS, type Flow } from '../../domain/model.js';
import { PodreachError } from '../../domain/errors.js';
import { FLOW_TAG, HANDLER_ENV, HANDLER_IDS, type HandlerId } from '../../../infra/handler-ids.js';

export const LOCAL_FUNCTION_ARN_PREFIX = 'arn:podreach:local:function:';

/** One flow's state machine as the local runner executes it. */
export interface LocalFlowDefinition {
  /** The ASL, exactly as synthesized, with function ARNs replaced by `arn:podreach:local:function:<handler-id>`. */
  definition: AslStateMachine;
  /** Task state name -> the handler it invokes (Map iterator states included). */
  taskHandlers: Record<string, HandlerId>;
  /**
   * Tasks that invoke through the Lambda service integration (`lambda:invoke.waitForTaskToken`): their input is
   * {FunctionName, Payload}, and the handler gets the Payload.
   */
  payloadTasks?: string[];
}

/** The parts of the Amazon States Language this module reads; everything else passes through untouched. */
export interface AslStateMachine {
  StartAt: string;
  States: Record<string, AslState>;
  [field: string]: unknown;
}

export interface AslState {
  Type: string;
  Resource?: string;
  Retry?: unknown[];
  ItemProcessor?: AslStateMachine;
  Iterator?: AslStateMachine;
  Branches?: AslStateMachine[];
  [field: string]: unknown;
}

export class FlowDefinitionError extends PodreachError {
  override name = 'FlowDefinitionError';
}

interface CfnResource {
  Type: string;
  Properties?: Record<string, unknown>;
}

interface CfnTemplate {
  Resources?: Record<string, CfnResource>;
}

export function localFunctionArn(handlerId: HandlerId): string {
  return `${LOCAL_FUNCTION_ARN_PREFIX}${handlerId}`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isHandlerId(value: unknown): value is HandlerId {
  return typeof value === 'string' && (HANDLER_IDS as readonly string[]).includes(value);
}

/** Lambda function logical id -> handler id, read from each function's PODREACH_HANDLER variable. */
function functionHandlers(resources: Record<string, CfnResource>): Map<string, HandlerId> {
  const handlers = new Map<string, HandlerId>();
  for (const [logicalId, resource] of Object.entries(resources)) {
    if (resource.Type !== 'AWS::Lambda::Function') continue;
    const environment = resource.Properties?.['Environment'];
    const variables = isRecord(environment) ? environment['Variables'] : undefined;
    const handlerId = isRecord(variables) ? variables[HANDLER_ENV] : undefined;
    if (isHandlerId(handlerId)) handlers.set(logicalId, handlerId);
  }
  return handlers;
}

/** Resolves a DefinitionString (a string, or Fn::Join of strings and function tokens) into the ASL text. */
function resolveDefinitionString(value: unknown, handlers: Map<string, HandlerId>, flow: string): string {
  if (typeof value === 'string') return value;
  const join = isRecord(value) ? value['Fn::Join'] : undefined;
  if (!Array.isArray(join) || join[0] !== '' || !Array.isArray(join[1])) {
    throw new FlowDefinitionError(`The ${flow} state machine's DefinitionString is neither a string nor Fn::Join: ${JSON.stringify(value)}`);
  }
  return join[1]
    .map((part: unknown) => {
      if (typeof part === 'string') return part;
      // the partition of a service integration's ARN (arn:aws:states:::lambda:invoke.waitForTaskToken)
      if (isRecord(part) && part['Ref'] === 'AWS::Partition') return 'aws';
      const getAtt = isRecord(part) ? part['Fn::GetAtt'] : undefined;
      const logicalId = Array.isArray(getAtt) && getAtt[1] === 'Arn' ? getAtt[0] : undefined;
      const handlerId = typeof logicalId === 'string' ? handlers.get(logicalId) : undefined;
      if (handlerId === undefined) {
        throw new FlowDefinitionError(
          `The ${flow} state machine references ${JSON.stringify(part)}, which is not the ARN of a podreach function; ` +
            'the local runner can only resolve Lambda Tasks invoked by function ARN (payloadResponseOnly).',
        );
      }
      return localFunctionArn(handlerId);
    })
    .join('');
}

function parseAsl(text: string, flow: string): AslStateMachine {
  const parsed: unknown = JSON.parse(text);
  if (!isRecord(parsed) || typeof parsed['StartAt'] !== 'string' || !isRecord(parsed['States'])) {
    throw new FlowDefinitionError(`The ${flow} state machine definition has no StartAt/States.`);
  }
  return parsed as AslStateMachine;
}

/** Visits every state, including those inside Map iterators and Parallel branches. */
export function forEachState(machine: AslStateMachine, visit: (name: string, state: AslState) => void): void {
  for (const [name, state] of Object.entries(machine.States)) {
    visit(name, state);
    const nested = [state.ItemProcessor, state.Iterator, ...(state.Branches ?? [])];
    for (const child of nested) {
      if (child) forEachState(child, visit);
    }
  }
}

const LAMBDA_INVOKE_INTEGRATION = /^arn:aws:states:::lambda:invoke(\.waitForTaskToken)?$/;

function taskHandlersOf(machine: AslStateMachine, flow: string): { taskHandlers: Record<string, HandlerId>; payloadTasks: string[] } {
  const taskHandlers: Record<string, HandlerId> = {};
  const payloadTasks: string[] = [];
  forEachState(machine, (name, state) => {
    if (state.Type !== 'Task') return;
    const parameters = isRecord(state['Parameters']) ? state['Parameters'] : undefined;
    const integration = state.Resource !== undefined && LAMBDA_INVOKE_INTEGRATION.test(state.Resource);
    const functionArn = integration ? parameters?.['FunctionName'] : state.Resource;
    if (integration) payloadTasks.push(name);
    const handlerId = typeof functionArn === 'string' && functionArn.startsWith(LOCAL_FUNCTION_ARN_PREFIX)
      ? functionArn.slice(LOCAL_FUNCTION_ARN_PREFIX.length)
      : undefined;
    if (!isHandlerId(handlerId)) {
      throw new FlowDefinitionError(`Task ${name} of the ${flow} state machine does not invoke a podreach function (${state.Resource}).`);
    }
    taskHandlers[name] = handlerId;
  });
  return { taskHandlers, payloadTasks };
}

function flowOf(resource: CfnResource): Flow | undefined {
  const tags = resource.Properties?.['Tags'];
  if (!Array.isArray(tags)) return undefined;
  for (const tag of tags) {
    if (isRecord(tag) && tag['Key'] === FLOW_TAG) {
      const value = tag['Value'];
      return (FLOWS as readonly unknown[]).includes(value) ? (value as Flow) : undefined;
    }
  }
  return undefined;
}

/** Every flow's definition in a synthesized stateless-stack template; throws when a flow is missing. */
export function flowDefinitionsFromTemplate(template: unknown): Record<Flow, LocalFlowDefinition> {
  const resources = isRecord(template) ? (template as CfnTemplate).Resources : undefined;
  if (!resources) throw new FlowDefinitionError('The template has no Resources.');
  const handlers = functionHandlers(resources);
  const found = new Map<Flow, LocalFlowDefinition>();
  for (const resource of Object.values(resources)) {
    if (resource.Type !== 'AWS::StepFunctions::StateMachine') continue;
    const flow = flowOf(resource);
    if (!flow) continue;
    const text = resolveDefinitionString(resource.Properties?.['DefinitionString'], handlers, flow);
    const definition = parseAsl(text, flow);
    const { taskHandlers, payloadTasks } = taskHandlersOf(definition, flow);
    found.set(flow, { definition, taskHandlers, ...(payloadTasks.length > 0 ? { payloadTasks } : {}) });
  }
  const missing = FLOWS.filter((flow) => !found.has(flow));
  if (missing.length > 0) {
    throw new FlowDefinitionError(`The template has no state machine tagged ${FLOW_TAG} for: ${missing.join(', ')}.`);
  }
  return Object.fromEntries(found) as Record<Flow, LocalFlowDefinition>;
}
