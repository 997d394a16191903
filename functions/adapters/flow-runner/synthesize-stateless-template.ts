// Synthesizes podreach's stacks in-process, without bundling Lambda code, and returns the stateless stack's
// template. Loaded only through `await import()` on a cache miss: aws-cdk-lib takes seconds to import.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { App } from 'aws-cdk-lib';
import { buildPodreachStacks } from '../../../infra/podreach-app.js';
import { repoRoot } from '../../../infra/paths.js';

export async function synthesizeStatelessTemplate(): Promise<unknown> {
  // The same context `cdk synth` hands the app, so feature flags cannot make the two templates differ.
  const cdkJson: unknown = JSON.parse(await readFile(path.join(repoRoot, 'cdk.json'), 'utf8'));
  const cdkContext =
    typeof cdkJson === 'object' && cdkJson !== null && 'context' in cdkJson && typeof cdkJson.context === 'object'
      ? (cdkJson.context as Record<string, unknown>)
      : {};
  const outdir = await mkdtemp(path.join(tmpdir(), 'podreach-synth-'));
  try {
    const app = new App({
      outdir,
      context: { ...cdkContext, 'aws:cdk:bundling-stacks': [] },
      // Template validation and cdk-nag check deployability; `cdk synth` and test/infra run them. Here they only cost seconds.
      builtinCloudFormationValidation: false,
      treeMetadata: false,
    });
    const { stateless } = buildPodreachStacks(app, { nag: false });
    return app.synth().getStackArtifact(stateless.artifactId).template;
  } finally {
    await rm(outdir, { recursive: true, force: true });
  }
}
