// What an adapter sends, kind by kind, named in its cloud's policy language: the one source of the least-privilege
// policies `podreach permissions` prints and of the deployed functions' IAM (infra/). Each cloud's actions.ts
// declares it beside its operations table, without importing the SDK; tests compare it with what the SDKs send
// (the calls moto and the contract servers record) and with the calls written in the adapter's source.
import type { ChangeKind } from '../../domain/model.js';

export interface CloudAction {
  /** The action as the cloud's policy language names it: `ec2:CreateRoute`, `vpc:CreateRoutes`, `vpc:routeTables:update`. */
  action: string;
  /**
   * The call on the wire where it is not the action's own name (Huawei: `PUT /v1/{project_id}/routetables/{routetable_id}`);
   * tests map the calls a contract server records back to actions with it.
   */
  api?: string;
  /** AWS: the resource types the action is authorized against (`ec2:route-table`); none means every resource (`*`). */
  resources?: readonly string[];
  /** Actions the cloud's IAM requires beside this one to let the call succeed (Huawei's "dependencies"). */
  dependsOn?: readonly string[];
}

export interface KindActions {
  /** What listing the kind's targets sends: all a plan needs. */
  list: readonly CloudAction[];
  /** What applying a change of the kind sends beyond the list (writes, and reads made while applying). */
  apply: readonly CloudAction[];
}

export type ActionsTable<K extends ChangeKind = ChangeKind> = Record<K, KindActions>;

/**
 * What looking a destination up by its address sends (findAddress, read-only): `podreach diagnose` only, from the CLI,
 * so no deployed function is granted it.
 */
export type AddressActions = readonly CloudAction[];
