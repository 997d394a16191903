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

describe('Function: parseCidr — IPv6', () => {
  it('agrees with ip-cidr on the range of many IPv6 CIDRs, and writes them as RFC 5952 text', () => {
    // Prepare: deterministic pseudo-random groups, some zero runs, every prefix length
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648);
    const samples: string[] = [];
    for (let i = 0; i < 1500; i++) {
      const groups = Array.from({ length: 8 }, () => (next() % 3 === 0 ? '0' : (next() % 65536).toString(16)));
      samples.push(`${groups.join(':')}/${next() % 129}`);
    }

    // Act / Assess
    for (const text of samples) {
      const parsed = parseCidr(text);
      const reference = new IPCIDR(text);
      expect([text, parsed?.start, parsed?.end]).toEqual([text, BigInt(reference.start({ type: 'bigInteger' }) as unknown as bigint), BigInt(reference.end({ type: 'bigInteger' }) as unknown as bigint)]);
      // the normalised text parses back to the same range and is already normal
      expect(parseCidr(parsed!.cidr)).toMatchObject({ start: parsed!.start, end: parsed!.end, cidr: parsed!.cidr });
    }
    expect(parseCidr('2001:0DB8:0000:0000:0001:0000:0000:0001/128')?.cidr).toBe('2001:db8::1:0:0:1/128');
    expect(parseCidr('fd00:0:0:0:0:0:0:1/64')?.cidr).toBe('fd00::/64');
    expect(parseCidr('::/0')?.cidr).toBe('::/0');
  });

  it('rejects malformed IPv6 CIDRs', () => {
    for (const text of ['2001:db8::/129', ':::/64', '1:2:3:4:5:6:7:8:9/64', '2001:db8::g/64', '1::2::3/64', '2001:db8::/']) {
      expect([text, parseCidr(text)]).toEqual([text, undefined]);
    }
  });
});
