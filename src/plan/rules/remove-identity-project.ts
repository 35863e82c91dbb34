/** A projection that returns its input's columns unchanged, in order and with the same names, is removed. */
import type { LogicalNode } from '../logical-plan.js';

export function removeIdentityProject(n: LogicalNode): LogicalNode | undefined {
  if (n.kind !== 'project') return undefined;
  const inF = n.input.fields;
  if (n.exprs.length !== inF.length) return undefined;
  const identity = n.exprs.every((e, i) => e.kind === 'col' && e.index === i && n.fields[i]!.name === inF[i]!.name);
  return identity ? n.input : undefined;
}
