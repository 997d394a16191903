// cdk-nag 3 runs as a CDK policy-validation plugin and reads acknowledgements made through CDK's own
// Validations API (NagSuppressions is gone). cdk-nag is a CommonJS bundle re-exporting through __exportStar,
// which Node's ESM loader cannot see as named exports; require() it once here.
import { createRequire } from 'node:module';
import { Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

const cdkNag = createRequire(import.meta.url)('cdk-nag') as typeof import('cdk-nag');

export const { AwsSolutionsChecks } = cdkNag;

export interface NagAcknowledgement {
  /** A rule id, or `Rule[Finding]` for one finding (e.g. `AwsSolutions-IAM5[Resource::*]`). */
  id: string;
  reason: string;
}

/** Acknowledges cdk-nag findings on a construct and everything under it, each with its written reason. */
export function acknowledgeNag(scope: IConstruct, acknowledgements: NagAcknowledgement[]): void {
  Validations.of(scope).acknowledge(...acknowledgements);
}

/** One IAM5 acknowledgement per wildcard finding, all with the same reason. */
export function wildcardFindings(findings: string[], reason: string): NagAcknowledgement[] {
  return findings.map((finding) => ({ id: `AwsSolutions-IAM5[${finding}]`, reason }));
}
