// An EventBridge rule whose target is an SQS queue, on the AWS emulator: the tests read what a rule delivered from
// the queue (moto delivers to SQS targets; a Lambda target would need a runtime).
import { PutRuleCommand, PutTargetsCommand, type EventBridgeClient, type InputTransformer } from '@aws-sdk/client-eventbridge';
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';

export interface RuleToQueue {
  bus: string;
  rule: string;
  pattern: unknown;
  /** Default: the rule's name. */
  queue?: string;
  inputTransformer?: InputTransformer;
}

/** Creates the queue and a rule on `bus` that sends what matches `pattern` to it; resolves with the queue's URL. */
export async function ruleToQueue(eventBridge: EventBridgeClient, sqs: SQSClient, spec: RuleToQueue): Promise<string> {
  const queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: spec.queue ?? spec.rule }))).QueueUrl ?? '';
  const arn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }))).Attributes?.['QueueArn'] ?? '';
  await eventBridge.send(new PutRuleCommand({ Name: spec.rule, EventBusName: spec.bus, EventPattern: JSON.stringify(spec.pattern) }));
  await eventBridge.send(new PutTargetsCommand({ Rule: spec.rule, EventBusName: spec.bus, Targets: [{ Id: 'queue', Arn: arn, ...(spec.inputTransformer ? { InputTransformer: spec.inputTransformer } : {}) }] }));
  return queueUrl;
}

/** Every message body on the queue (parsed JSON) until it stays empty for one long poll. */
export async function drainQueue<T = unknown>(sqs: SQSClient, queueUrl: string): Promise<T[]> {
  const received: T[] = [];
  for (;;) {
    const page = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
    if (!page.Messages?.length) return received;
    for (const message of page.Messages) received.push(JSON.parse(message.Body ?? '{}') as T);
  }
}
