import { profileSchema, type ConnectivityProfile } from '../../../functions/domain/profile.js';
import { resolveProfile } from '../../../functions/domain/profile-resolution.js';
import { tkeFacts } from './planner/fixtures.js';

const profile = (name: string, match: { clusterIds?: string[]; vpcIds?: string[] }): ConnectivityProfile =>
  profileSchema.parse({ apiVersion: 'podreach/v1', kind: 'ConnectivityProfile', metadata: { name }, spec: { match } });

describe('Function: resolveProfile', () => {
  const byVpc = profile('by-vpc', { vpcIds: ['vpc-tke'] });
  const byCluster = profile('by-cluster', { clusterIds: ['cls-tke'] });
  const named = profile('tke-idc', {});
  const other = profile('other', { clusterIds: ['cls-other'], vpcIds: ['vpc-other'] });

  it('uses the profile the event names', () => {
    // Act / Assess
    expect(resolveProfile([byVpc, byCluster, named], tkeFacts({ profile: 'tke-idc' }))?.metadata.name).toBe('tke-idc');
  });

  it('gives none when the named profile is missing, rather than another matching one', () => {
    // Act / Assess
    expect(resolveProfile([byVpc, byCluster], tkeFacts({ profile: 'tke-idc' }))).toBeUndefined();
  });

  it('prefers a match on the clusterId to one on the vpcId', () => {
    // Act / Assess
    expect(resolveProfile([byVpc, other, byCluster], tkeFacts())?.metadata.name).toBe('by-cluster');
  });

  it('falls back to a match on the vpcId, and to none', () => {
    // Act / Assess
    expect(resolveProfile([other, byVpc], tkeFacts())?.metadata.name).toBe('by-vpc');
    expect(resolveProfile([other], tkeFacts())).toBeUndefined();
  });

  it('does not depend on the order profiles are listed in', () => {
    // Prepare
    const a = profile('a-vpc', { vpcIds: ['vpc-tke'] });

    // Act / Assess
    expect(resolveProfile([byVpc, a], tkeFacts())?.metadata.name).toBe('a-vpc');
    expect(resolveProfile([a, byVpc], tkeFacts())?.metadata.name).toBe('a-vpc');
  });
});
