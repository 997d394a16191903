// Port text: what the clouds' port fields read back as, the one form every adapter and diagnose compare.
import { portText, portTexts, samePort } from '../../../functions/domain/port.js';

describe('Function: portTexts', () => {
  it('reads a field listing several ports and ranges as one port text each', () => {
    expect(portTexts('TCP', '80,443')).toEqual(['tcp:80', 'tcp:443']);
    expect(portTexts('tcp', '22, 8000-8080')).toEqual(['tcp:22', 'tcp:8000-8080']);
  });

  it('reads an empty field, ALL and -1 as every port, and a single port or range as itself', () => {
    expect([portTexts('tcp', undefined), portTexts('TCP', 'ALL'), portTexts('udp', '-1'), portTexts('tcp', '')]).toEqual([['tcp'], ['tcp'], ['udp'], ['tcp']]);
    expect([portTexts('tcp', '22'), portTexts('udp', '53-54'), portTexts('icmp', '0'), portTexts('ALL', '80')]).toEqual([['tcp:22'], ['udp:53-54'], ['icmp'], ['all']]);
  });
});

describe('Function: portText', () => {
  it('spells a full range as the protocol and compares equal forms as one', () => {
    expect([portText('tcp', 1, 65535), portText('TCP', '0', '65535'), portText('tcp', 22, 22)]).toEqual(['tcp', 'tcp', 'tcp:22']);
    expect(samePort('tcp:22', 'tcp:22-22')).toBe(true);
    expect(samePort(undefined, 'all')).toBe(true);
  });
});
