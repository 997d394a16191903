// The informer's watch timeout: what each watch asks the server, and how long a silent connection may last. No
// request is made (the informer is not started); test/e2e/watch.test.ts drives the watchdog against a server.
import { KubeConfig } from '@kubernetes/client-node';
import { NodeInformer, stallGraceMs } from '../../../functions/adapters/kubernetes/node-informer.js';

function kubeConfig(): KubeConfig {
  const config = new KubeConfig();
  config.loadFromOptions({
    clusters: [{ name: 'c', server: 'http://127.0.0.1:1', skipTLSVerify: true }],
    users: [{ name: 'u', token: 't' }],
    contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
    currentContext: 'x',
  });
  return config;
}

describe('Class: NodeInformer', () => {
  it('asks for a random 300-599 s watch timeout by default (client-go spreads reconnects the same way), or the one given', () => {
    const timeout = (random: number, given?: number) =>
      new NodeInformer({ kubeConfig: kubeConfig(), onChange: () => undefined, random: () => random, ...(given ? { watchTimeoutSeconds: given } : {}) }).watchTimeoutSeconds;
    expect([timeout(0), timeout(0.5), timeout(0.9999)]).toEqual([300, 450, 599]);
    expect(timeout(0.5, 7)).toBe(7);
  });

  it('lets a silent watch run half its timeout past it, at most 30 s', () => {
    expect([stallGraceMs(1), stallGraceMs(10), stallGraceMs(60), stallGraceMs(600)]).toEqual([500, 5000, 30_000, 30_000]);
  });
});
