// The event definitions: the committed JSON Schemas are what the zod schemas generate, every sample parses, and
// every invalid sample is refused naming its field.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderJsonSchemas } from '../../events/json-schemas.js';
import { parseClusterEvent, parseClusterEventJson } from '../../events/parse.js';
import { InvalidInputError } from '../../functions/domain/errors.js';

describe('Module: events', () => {
  it('has the JSON Schemas the zod schemas generate committed (run `npm run schemas` after changing them)', () => {
    const rendered = renderJsonSchemas();
    const committed = readdirSync('events/json-schema').sort();
    expect(committed).toEqual(Object.keys(rendered).sort());
    for (const [name, text] of Object.entries(rendered)) expect([name, readFileSync(join('events/json-schema', name), 'utf8')]).toEqual([name, text]);
  });

  it('parses every sample, with the detail-type its file name says', () => {
    const expected: Record<string, string> = {
      'cluster-created.json': 'Cluster Created',
      'node-added.json': 'Node Added',
      'node-removed.json': 'Node Removed',
      'cluster-cidr-changed.json': 'Cluster CIDR Changed',
      'cluster-deleted.json': 'Cluster Deleted',
    };
    for (const [file, detailType] of Object.entries(expected)) {
      expect(parseClusterEventJson(readFileSync(join('events/samples', file), 'utf8'), file).detailType).toBe(detailType);
    }
  });

  it('accepts a bare detail as the envelope would carry it', () => {
    const envelope = JSON.parse(readFileSync('events/samples/node-added.json', 'utf8')) as { detail: unknown };
    expect(parseClusterEvent(envelope.detail)).toMatchObject({ detailType: 'Node Added', detail: { clusterId: 'cls-demo' } });
  });

  it.each([
    ['bad-cidr.json', 'detail.podCidrs[0]'],
    ['missing-cluster-id.json', 'detail.clusterId'],
    ['unknown-detail-type.json', 'detail-type'],
    ['bad-node-ip.json', 'detail.node.ip'],
    ['malformed.json', 'malformed.json'],
  ])('refuses %s naming %s', (file, field) => {
    const text = readFileSync(join('events/samples/invalid', file), 'utf8');
    let caught: unknown;
    try {
      parseClusterEventJson(text, file);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(InvalidInputError);
    expect((caught as InvalidInputError).field).toBe(field);
  });
});
