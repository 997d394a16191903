import IPCIDR from 'ip-cidr';
import { normaliseCidr, parseCidr } from '../../../functions/domain/cidr.js';

describe('Function: parseCidr', () => {
  it('agrees with ip-cidr on IPv4 CIDRs, host bits set or not', () => {
    // Prepare: a deterministic spread of addresses and every prefix length
    const samples: string[] = [];
    for (let i = 0; i < 2000; i++) {
      const address = (Math.imul(i, 2654435761) >>> 0).toString(2).padStart(32, '0');
      const octets = [0, 8, 16, 24].map((bit) => parseInt(address.slice(bit, bit + 8), 2));
      samples.push(`${octets.join('.')}/${i % 33}`);
    }

    // Act / Assess
    for (const sample of samples) {
      const range = new IPCIDR(sample);
      const parsed = parseCidr(sample);
      expect(parsed).toEqual({
        cidr: `${range.start() as string}/${sample.split('/')[1]}`,
        version: 4,
        prefix: Number(sample.split('/')[1]),
        start: BigInt(range.start({ type: 'bigInteger' }) as unknown as bigint),
        end: BigInt(range.end({ type: 'bigInteger' }) as unknown as bigint),
      });
    }
  });

  it('normalises the TKE guide\'s CIDRs and rejects what ip-cidr rejects', () => {
    // Act / Assess
    expect(normaliseCidr('172.16.5.9/16')).toBe('172.16.0.0/16');
    expect(normaliseCidr(' 10.20.0.0/16 ')).toBe('10.20.0.0/16');
    expect(parseCidr('0.0.0.0/0')).toMatchObject({ start: 0n, end: 4294967295n });
    expect(parseCidr('10.0.0.0/08')).toMatchObject({ cidr: '10.0.0.0/8', prefix: 8 });
    for (const invalid of ['010.0.0.0/8', '256.0.0.0/8', '10.0.0.0/33', '10.0.0.0', 'x/8', '']) {
      expect(parseCidr(invalid)).toBeUndefined();
      expect(IPCIDR.isValidCIDR(invalid)).toBe(false);
    }
  });
});
