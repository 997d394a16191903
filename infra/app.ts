// CDK entry point (cdk.json: `npx tsx infra/app.ts`). Environment-agnostic, so `cdk synth` needs no AWS access.
import { App } from 'aws-cdk-lib';
import { buildPodreachStacks } from './podreach-app.js';

const app = new App();
buildPodreachStacks(app);
app.synth();
