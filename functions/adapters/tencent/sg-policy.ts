// The entry's port text ("tcp:22", "udp:53", "tcp:80-90", "icmp", "all") <-> Tencent SecurityGroupPolicy
// Protocol / Port ("TCP" + "22" | "8000-8010" | "ALL"; ICMP and ALL carry Port "ALL").
import { InvalidInputError } from '../../domain/errors.js';

export interface PolicyPorts {
  Protocol: string;
  Port: string;
}

const PORT_PATTERN = /^(tcp|udp)(?::(\d{1,5})(?:-(\d{1,5}))?)?$/;

export function parsePolicyPort(port: string | undefined): PolicyPorts {
  const text = (port ?? 'all').trim().toLowerCase();
  if (text === 'all') return { Protocol: 'ALL', Port: 'ALL' };
  if (text === 'icmp') return { Protocol: 'ICMP', Port: 'ALL' };
  const match = PORT_PATTERN.exec(text);
  if (!match) throw new InvalidInputError('port', `"${port}" is not one of tcp:N, udp:N, tcp:N-M, icmp, all`);
  const protocol = (match[1] as string).toUpperCase();
  if (match[2] === undefined) return { Protocol: protocol, Port: 'ALL' };
  const from = Number(match[2]);
  const to = match[3] === undefined ? from : Number(match[3]);
  if (from > 65535 || to > 65535 || from > to) throw new InvalidInputError('port', `"${port}" is not a valid port range`);
  return { Protocol: protocol, Port: from === to ? String(from) : `${from}-${to}` };
}

export function formatPolicyPort(policy: { Protocol?: string | undefined; Port?: string | undefined }): string {
  const protocol = (policy.Protocol ?? 'ALL').toLowerCase();
  if (protocol === 'all') return 'all';
  if (protocol === 'icmp') return 'icmp';
  const port = (policy.Port ?? 'ALL').trim();
  if (port === '' || port.toUpperCase() === 'ALL' || port === '0-65535' || port === '1-65535') return protocol;
  const [from, to] = port.split('-');
  if (to !== undefined && from === to) return `${protocol}:${from}`;
  return `${protocol}:${port}`;
}

/** Same protocol and ports, after normalising both sides ("tcp:22" vs Port "22-22"). */
export function samePolicyPort(a: string | undefined, b: string | undefined): boolean {
  return formatPolicyPort(parsePolicyPort(a)) === formatPolicyPort(parsePolicyPort(b));
}
