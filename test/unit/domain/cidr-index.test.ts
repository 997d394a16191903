import { seededRandom } from '../../../functions/adapters/sandbox/faults.js';
import { CidrIndex, cidrsOverlap, parseCidr } from '../../../functions/domain/cidr.js';

/** A deterministic pseudo-random sequence, so the large case is the same on every run. */
const random = seededRandom;

function randomCidr(next: () => number): string {
  const prefix = 8 + Math.floor(next() * 25); // /8 .. /32
  const address = Math.floor(next() * 2 ** 32);
  const octets = [24, 16, 8, 0].map((shift) => (address >>> shift) & 255);
  return `${octets.join('.')}/${prefix}`;
}

describe('Class: CidrIndex', () => {
  describe('Method: overlapping', () => {
    it('finds supernets, the block itself and blocks inside it, in address order, on the TKE guide\'s networks', () => {
      // Prepare
      const index = new CidrIndex(
        ['192.168.0.0/16', '172.16.0.0/16', '172.16.3.0/24', '172.20.0.0/16', '10.0.0.0/16', '10.20.0.0/16', '0.0.0.0/0', '172.16.0.0/12'].map((cidr) => ({ cidr, value: cidr })),
      );

      // Act
      const found = index.overlapping('172.16.0.0/16').map((item) => item.value);

      // Assess
      expect(found).toEqual(['0.0.0.0/0', '172.16.0.0/12', '172.16.0.0/16', '172.16.3.0/24']);
      expect(index.overlapping('10.1.0.0/16').map((item) => item.value)).toEqual(['0.0.0.0/0']);
      expect(index.containing('172.16.3.7/32').map((item) => item.value)).toEqual(['0.0.0.0/0', '172.16.0.0/12', '172.16.0.0/16', '172.16.3.0/24']);
      expect(index.within('172.0.0.0/8').map((item) => item.value)).toEqual(['172.16.0.0/12', '172.16.0.0/16', '172.16.3.0/24', '172.20.0.0/16']);
    });

    it('keeps every payload of a block listed twice, and skips invalid or other-version queries', () => {
      // Prepare
      const index = new CidrIndex([
        { cidr: '10.20.0.0/16', value: 'rtb-main' },
        { cidr: '10.20.0.1/16', value: 'rtb-far' },
        { cidr: 'not-a-cidr', value: 'ignored' },
        { cidr: '2001:db8::/32', value: 'v6' },
      ]);

      // Act / Assess
      expect(index.overlapping('10.20.5.0/24').map((item) => item.value)).toEqual(['rtb-main', 'rtb-far']);
      expect(index.overlapping('2001:db8:1::/48').map((item) => item.value)).toEqual(['v6']);
      expect(index.overlapping('::/0').map((item) => item.value)).toEqual(['v6']);
      expect(index.overlapping('garbage')).toEqual([]);
    });

    it('agrees with a linear scan on 100,000 random entries', () => {
      // Prepare
      const next = random(20260101);
      const entries = Array.from({ length: 100_000 }, (_, value) => ({ cidr: randomCidr(next), value }));
      const index = new CidrIndex(entries);
      const parsed = entries.map((entry) => ({ value: entry.value, range: parseCidr(entry.cidr)! }));
      const queries = Array.from({ length: 100 }, () => randomCidr(next));
      queries.push('0.0.0.0/0', '172.16.0.0/16', '10.0.0.0/8');

      // Act / Assess
      for (const query of queries) {
        const range = parseCidr(query)!;
        const expected = parsed.filter((entry) => entry.range.start <= range.end && range.start <= entry.range.end).map((entry) => entry.value);
        expect(cidrsOverlap(query, query)).toBe(true);
        const actual = index.overlapping(query).map((item) => item.value).sort((a, b) => a - b);
        expect(actual).toEqual(expected);
      }
      const everything = index.overlapping('0.0.0.0/0');
      expect(everything).toHaveLength(100_000);
      const starts = everything.map((item) => item.parsed.start);
      expect(starts.every((start, i) => i === 0 || starts[i - 1]! <= start)).toBe(true);
    });
  });
});
