// The sandbox seed file format: parsing, defaults and field-naming errors. Plain values, no I/O but the example.
import { readFileSync } from 'node:fs';
import { parseSandboxFile } from '../../functions/adapters/sandbox/sandbox-file.js';
import { InvalidInputError } from '../../functions/domain/errors.js';

const header = 'apiVersion: podreach/v1\nkind: SandboxAccount\n';

function fieldOf(text: string): string | undefined {
  try {
    parseSandboxFile(text);
  } catch (error) {
    if (error instanceof InvalidInputError) return error.field;
    throw error;
  }
  return undefined;
}

describe('Function: parseSandboxFile', () => {
  it('parses the example with every list defaulted and CIDRs normalised', () => {
    // Prepare
    const text = readFileSync(new URL('../../examples/sandbox/demo.yaml', import.meta.url), 'utf8');
    // Act
    const account = parseSandboxFile(text);
    // Assess
    expect(account.spec.routeTables).toEqual([{ id: 'rtb-main', routes: [{ destination: '10.99.0.0/16', nextHop: 'pcx-legacy', nextHopType: 'peering' }] }]);
    expect(account.spec.subnets.map((s) => [s.id, s.routeTableId])).toEqual([
      ['subnet-a', 'rtb-main'],
      ['subnet-b', undefined],
    ]);
    expect(account.spec.vpnConnections).toEqual([{ id: 'vpnx-1', selectors: [] }]);
    expect(account.spec.securityGroups).toEqual([]);
  });

  it('accepts JSON and normalises CIDRs', () => {
    const account = parseSandboxFile(JSON.stringify({ apiVersion: 'podreach/v1', kind: 'SandboxAccount', spec: { dxGateways: [{ id: 'dxgw-1', prefixes: ['10.1.2.3/16'] }] } }));
    expect(account.spec.dxGateways).toEqual([{ id: 'dxgw-1', prefixes: ['10.1.0.0/16'] }]);
  });

  it('reads the routes a BGPPeer already advertises, naming a duplicate', () => {
    const peer = `${header}spec:\n  bgpPeers:\n    - id: peer\n      routes:\n        - { destination: 10.10.0.1/24, nextHop: 10.0.0.10, nextHopType: node }\n`;
    expect(parseSandboxFile(peer).spec.bgpPeers).toEqual([{ id: 'peer', routes: [{ destination: '10.10.0.0/24', nextHop: '10.0.0.10', nextHopType: 'node' }] }]);
    expect(fieldOf(`${header}spec:\n  bgpPeers:\n    - { id: peer }\n    - { id: peer }\n`)).toBe('spec.bgpPeers[1]');
  });

  it('names the field of a bad CIDR', () => {
    const text = `${header}spec:\n  routeTables:\n    - id: rtb-1\n      routes:\n        - { destination: 10.0.0.0/8, nextHop: vgw-1 }\n        - { destination: not-a-cidr, nextHop: vgw-1 }\n`;
    expect(fieldOf(text)).toBe('spec.routeTables[0].routes[1].destination');
  });

  it('names a duplicate destination, an unknown field and a missing kind', () => {
    const duplicate = `${header}spec:\n  routeTables:\n    - id: rtb-1\n      routes:\n        - { destination: 10.0.0.0/8, nextHop: a }\n        - { destination: 10.0.0.0/8, nextHop: b }\n`;
    expect(fieldOf(duplicate)).toBe('spec.routeTables[0].routes[1]');
    expect(fieldOf(`${header}spec:\n  securityGroups:\n    - { id: sg-1, rules: [{ source: 10.0.0.0/8, port: tcp:22, extra: 1 }] }\n`)).toBe('spec.securityGroups[0].rules[0]');
    expect(fieldOf('apiVersion: podreach/v1\nspec: {}\n')).toBe('kind');
  });

  it('rejects a seed over its quota, naming the list', () => {
    const text = `${header}spec:\n  quotas: { prefixesPerDxGateway: 1 }\n  dxGateways:\n    - { id: dxgw-1, prefixes: [10.0.0.0/16, 10.1.0.0/16] }\n`;
    expect(fieldOf(text)).toBe('spec.dxGateways[0].prefixes');
  });

  it('rejects text that is not YAML or not an object', () => {
    expect(fieldOf('a: [unclosed')).toBe('sandbox');
    expect(fieldOf('- just\n- a list\n')).toBe('sandbox');
  });
});
