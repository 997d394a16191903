import { fileURLToPath } from 'node:url';

/** The repository root (infra/ lives directly under it); NodejsFunction entries and the lock file are found from here. */
export const repoRoot = fileURLToPath(new URL('..', import.meta.url));
