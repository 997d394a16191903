// Puts podreach cluster events on an EventBridge bus (`podreach emit`, tests). The event is validated again
// against its zod schema before any call, and a FailedEntryCount is an error, never a silent drop.
import { EventBridgeClient, PutEventsCommand, ResourceNotFoundException } from '@aws-sdk/client-eventbridge';
import { PodreachError } from '../../domain/errors.js';
import { parseDetail } from '../../../events/parse.js';
import { EVENT_SOURCE, type ClusterEvent } from '../../../events/schemas.js';

export const DEFAULT_BUS_NAME = 'podreach';

/** EventBridge did not take the event. `code` is the entry's ErrorCode (or the SDK error's name). */
export class EmitError extends PodreachError {
  override name = 'EmitError';
  constructor(
    message: string,
    readonly code?: string,
  ) {
    super(message);
  }
}

export interface EventEmitterOptions {
  /** A client to use (tests, shared config); otherwise one is built from region / endpoint. */
  client?: EventBridgeClient;
  region?: string;
  /** An emulator (AWS_ENDPOINT_URL: LocalStack, moto). */
  endpoint?: string;
}

export interface EmitResult {
  eventId: string;
  busName: string;
}

/** The PutEvents entry of a cluster event: source podreach.cluster, its detail-type, the detail as JSON. */
export function toPutEventsEntry(event: ClusterEvent, busName: string) {
  const { detail } = parseDetail(event.detailType, event.detail, 'detail');
  return {
    EventBusName: busName,
    Source: EVENT_SOURCE,
    DetailType: event.detailType,
    Detail: JSON.stringify(detail),
    Time: new Date(detail.occurredAt),
  };
}

export class EventEmitter {
  readonly #client: EventBridgeClient;

  constructor(options: EventEmitterOptions = {}) {
    this.#client =
      options.client ??
      new EventBridgeClient({
        ...(options.region ? { region: options.region } : {}),
        ...(options.endpoint ? { endpoint: options.endpoint } : {}),
      });
  }

  /**
   * @throws InvalidInputError when the event does not match its schema (no call is made)
   * @throws EmitError when EventBridge refuses the entry or the bus does not exist
   */
  async put(event: ClusterEvent, busName: string = DEFAULT_BUS_NAME): Promise<EmitResult> {
    const entry = toPutEventsEntry(event, busName);
    let response;
    try {
      response = await this.#client.send(new PutEventsCommand({ Entries: [entry] }));
    } catch (error) {
      if (error instanceof ResourceNotFoundException) {
        throw new EmitError(`event bus ${busName} does not exist: ${error.message}`, error.name);
      }
      throw error;
    }
    const result = response.Entries?.[0];
    if ((response.FailedEntryCount ?? 0) > 0 || !result?.EventId) {
      const code = result?.ErrorCode ?? 'UnknownError';
      throw new EmitError(`EventBridge refused the ${event.detailType} event on bus ${busName}: ${code}: ${result?.ErrorMessage ?? 'no reason given'}`, code);
    }
    return { eventId: result.EventId, busName };
  }
}
