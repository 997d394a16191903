// What the use cases need, as ports. Handlers (Lambda) and the CLI (local) build it differently.
import type { ProviderRegistry } from '../ports/network-provider.js';
import type { Notifier } from '../ports/notifier.js';
import type { StateStore } from '../ports/state-store.js';

export interface AppDeps {
  store: StateStore;
  providers: ProviderRegistry;
  notifier: Notifier;
  now(): Date;
}
