// The first version of a holding. A holding is deleted when its last claim goes and may be made again later; were
// every incarnation to start at 1, a writer holding a version read from the old one could pass the new one's
// condition (ABA) and, say, delete the holding of an entry another execution is making. A random start makes the
// versions of two incarnations of one entry meet with a chance of about one in 2^40.
import { randomInt } from 'node:crypto';

export function firstHoldingVersion(): number {
  return randomInt(1, 2 ** 40);
}
