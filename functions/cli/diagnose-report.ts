// The readable form of a diagnosis: the path, a table of hops, then what to fix and what to look at by hand.
import type { Diagnosis, Hop } from '../domain/diagnose/index.js';
import { pad } from './report.js';

const ARROWS: Record<Hop['direction'], string> = { outbound: '->', return: '<-', both: '<->' };

function where(hop: Hop): string {
  return hop.provider && hop.check !== 'manual' ? `${hop.where} (${hop.provider} ${hop.region ?? ''})`.replace(' )', ')') : hop.where;
}

export function renderDiagnosis(diagnosis: Diagnosis): string {
  const { from, to } = diagnosis;
  const source = from.podIp ? `pod ${from.podIp}${from.node ? ` on ${from.node}` : ''}` : `pods ${from.podCidrs.join(', ')}`;
  const port = to.protocol ? ` ${to.protocol}${to.port !== undefined ? `:${to.port}` : ''}` : '';
  const lines = [
    `cluster ${diagnosis.clusterId} (${from.networkModel}): ${source} -> ${to.ip}${port}`,
    `a peer sees them as ${from.seenAs.map((cidr) => cidr.replace(/\/(32|128)$/, '')).join(', ')}`,
    `path: ${diagnosis.path.summary}`,
    '',
  ];
  const rows = [['#', 'STATUS', 'DIR', 'CHECK', 'WHERE', 'DETAIL']];
  diagnosis.hops.forEach((hop, index) => rows.push([String(index + 1), hop.status, ARROWS[hop.direction], hop.check, where(hop), hop.status === 'manual' ? '(check by hand, below)' : hop.detail]));
  lines.push(pad(rows));
  const fixes = diagnosis.hops.map((hop, index) => ({ hop, index })).filter(({ hop }) => hop.fix && (hop.status === 'missing' || hop.status === 'conflict'));
  if (fixes.length > 0) {
    lines.push('', 'to fix:');
    // one command per flow: its run lays every hop it is the fix of
    const byFlow = new Map<string, number[]>();
    for (const { hop, index } of fixes) {
      const flow = hop.fix?.flow;
      if (flow) byFlow.set(flow, [...(byFlow.get(flow) ?? []), index + 1]);
      else lines.push(`  ${index + 1}. ${hop.fix?.text ?? ''}`);
    }
    for (const [flow, numbers] of byFlow) lines.push(`  ${numbers.join(', ')}. podreach trigger ${flow} --cluster ${diagnosis.clusterId}`);
  }
  const manual = diagnosis.hops.map((hop, index) => ({ hop, index })).filter(({ hop }) => hop.status === 'manual');
  if (manual.length > 0) {
    lines.push('', 'check by hand (podreach cannot read these):');
    for (const { hop, index } of manual) lines.push(`  ${index + 1}. ${hop.where}: ${hop.detail}`);
  }
  for (const note of diagnosis.notes) lines.push(`note: ${note}`);
  const c = diagnosis.counts;
  lines.push('', `${diagnosis.reachable ? 'reachable as far as podreach can read' : 'NOT reachable'}: ${c.ok} ok, ${c.missing} missing, ${c.conflict} conflict, ${c.unknown} unknown, ${c.manual} to check by hand`);
  return lines.join('\n');
}
