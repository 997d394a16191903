import { createHash } from 'node:crypto';
import type { Flow } from '../domain/model.js';

/**
 * A Step Functions-safe execution name (<= 80 chars of [A-Za-z0-9-_]) derived from what started it, so that
 * the same event (or a double manual start) maps to the same execution and runs once.
 */
export function executionIdFor(clusterId: string, flow: Flow, origin: string): string {
  const digest = createHash('sha256').update(`${clusterId}\n${flow}\n${origin}`).digest('hex').slice(0, 16);
  const cluster = clusterId.replace(/[^A-Za-z0-9-_]/g, '-').slice(0, 40);
  return `${cluster}-${flow}-${digest}`;
}
