// The entry's port text ("tcp:22", "udp:53", "tcp:80-90", "icmp", "all") <-> EC2 IpPermission fields.
import { InvalidInputError } from '../../domain/errors.js';

export interface IpPermissionPorts {
  IpProtocol: string;
  FromPort?: number;
  ToPort?: number;
}

const PORT_PATTERN = /^(tcp|udp)(?::(\d{1,5})(?:-(\d{1,5}))?)?$/;

export function parseSgPort(port: string | undefined): IpPermissionPorts {
  const text = (port ?? 'all').trim().toLowerCase();
  if (text === 'all' || text === '-1') return { IpProtocol: '-1' };
  if (text === 'icmp') return { IpProtocol: 'icmp', FromPort: -1, ToPort: -1 };
  const match = PORT_PATTERN.exec(text);
  if (!match) throw new InvalidInputError('port', `"${port}" is not one of tcp:N, udp:N, tcp:N-M, icmp, all`);
  const protocol = match[1] as string;
  if (match[2] === undefined) return { IpProtocol: protocol, FromPort: 0, ToPort: 65535 };
  const from = Number(match[2]);
  const to = match[3] === undefined ? from : Number(match[3]);
  if (from > 65535 || to > 65535 || from > to) throw new InvalidInputError('port', `"${port}" is not a valid port range`);
  return { IpProtocol: protocol, FromPort: from, ToPort: to };
}

export function formatSgPort(permission: { IpProtocol?: string | undefined; FromPort?: number | undefined; ToPort?: number | undefined }): string {
  const protocol = (permission.IpProtocol ?? '-1').toLowerCase();
  if (protocol === '-1' || protocol === 'all') return 'all';
  if (protocol === 'icmp' || protocol === '1') return 'icmp';
  const from = permission.FromPort;
  const to = permission.ToPort;
  if (from === undefined || to === undefined) return protocol;
  if (from === 0 && to === 65535) return protocol;
  return from === to ? `${protocol}:${from}` : `${protocol}:${from}-${to}`;
}
