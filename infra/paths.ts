import { fileURLToPath } from 'node:url';

/** The repository root (infra/ lives directly under it); the handlers' entries and cdk.json are found from here. */
export const repoRoot = fileURLToPath(new URL('..', import.meta.url));
