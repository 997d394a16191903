import { CLUSTER_ID_PATTERN, DNS1123_SUBDOMAIN, findShapeProblem, labelKeyProblem, labelValueProblem, regionProblem } from '../../../functions/domain/identifiers.js';
import type { ProviderName } from '../../../functions/domain/model.js';

describe('Module: identifiers', () => {
  describe('Function: regionProblem', () => {
    it.each<[ProviderName, string[], string[]]>([
      ['aws', ['us-east-1', 'ap-southeast-3', 'us-gov-west-1', 'us-isob-east-1', 'cn-north-1', 'il-central-1'], ['ap-guangzhou', 'us-east-1a', 'US-EAST-1', 'cn-hangzhou-h', 'us-east']],
      ['tencent', ['ap-guangzhou', 'ap-shanghai-fsi', 'na-siliconvalley', 'eu-frankfurt'], ['ap-guangzhou-3', 'us-east-1', 'ap_guangzhou']],
      ['alibaba', ['cn-hangzhou', 'ap-southeast-1', 'cn-shanghai-finance-1', 'cn-zhengzhou-jva', 'cn-wuhan-lr'], ['cn-hangzhou-h', 'cn-hangzhou-1-b', 'hangzhou']],
      ['huawei', ['cn-north-4', 'ap-southeast-1', 'eu-west-101', 'my-kualalumpur-1', 'cn-southwest-2'], ['cn-north', 'ap-guangzhou', 'cn-north-4a']],
    ])('accepts the %s region ids and refuses the rest', (provider, good, bad) => {
      for (const region of good) expect(regionProblem(provider, region)).toBeUndefined();
      for (const region of bad) expect(regionProblem(provider, region)).toMatch(/is not an? .* region id/);
    });

    it('quotes only the start of a long value', () => {
      const problem = regionProblem('aws', 'a'.repeat(500_000));
      expect(problem).toContain('(500000 characters)');
      expect(problem!.length).toBeLessThan(200);
    });
  });

  describe('Rule: cluster ids and Kubernetes names', () => {
    it('keeps cluster ids that can never be a path', () => {
      for (const id of ['cls-demo', 'c82e6987e2961451182edacd74faf0000', '3f1c2b9e-0d6a-4c55-9d1e-7c5f7a1f2b3c', 'my_cluster.prod']) expect(CLUSTER_ID_PATTERN.test(id)).toBe(true);
      for (const id of ['../x', 'a/b', '..', '.hidden', 'a\nb', 'a\0b', '', 'a b', 'x'.repeat(129)]) expect(CLUSTER_ID_PATTERN.test(id)).toBe(false);
    });

    it('follows DNS-1123 subdomains for node and BGPPeer names', () => {
      for (const name of ['node-1', 'ip-10-0-0-1.ap-guangzhou.compute.internal', 'a']) expect(DNS1123_SUBDOMAIN.test(name)).toBe(true);
      for (const name of ['Node-1', 'peer_a', '-a', 'a-', 'a..b', '__proto__', 'x/../y']) expect(DNS1123_SUBDOMAIN.test(name)).toBe(false);
    });
  });

  describe('Rule: label syntax', () => {
    it('accepts Kubernetes label keys and values', () => {
      for (const key of ['ASN', 'topology.kubernetes.io/zone', 'node-role.kubernetes.io/edge', 'a_b.c-d']) expect(labelKeyProblem(key)).toBeUndefined();
      for (const value of ['', '65010', 'ap-guangzhou-3', 'a_b.c']) expect(labelValueProblem(value)).toBeUndefined();
    });

    it('refuses values a selector would split or that Kubernetes would refuse', () => {
      for (const value of ['65010,role=x', '650 10', 'a=b', '-x', 'x'.repeat(64)]) expect(labelValueProblem(value)).toContain('label value');
      for (const key of ['a=b', 'a b', 'Example.com/x', '/x', 'a/', 'x'.repeat(64), 'a/b/c']) expect(labelKeyProblem(key)).toContain('label key');
      for (const key of ['__proto__', 'constructor', 'prototype']) expect(labelKeyProblem(key)).toContain('is not allowed');
    });
  });

  describe('Function: findShapeProblem', () => {
    it('finds a forbidden key at any depth, as JSON.parse makes it', () => {
      const value = JSON.parse('{"detail":{"node":{"labels":{"__proto__":"x"}}}}') as unknown;
      expect(findShapeProblem(value)).toEqual({ path: ['detail', 'node', 'labels', '__proto__'], message: expect.stringContaining('"__proto__" is not allowed') });
      expect(findShapeProblem(JSON.parse('{"a":[{"constructor":1}]}'))).toMatchObject({ path: ['a', 0, 'constructor'] });
      expect(findShapeProblem({ a: [{ b: 'ok' }] })).toBeUndefined();
    });

    it('refuses runaway nesting without overflowing the stack', () => {
      let deep: unknown = 'x';
      for (let level = 0; level < 100_000; level += 1) deep = [deep];
      expect(findShapeProblem({ a: deep })).toMatchObject({ message: 'nested more than 32 levels deep' });
    });
  });
});
