import type { ComponentSpec, Placement } from '../inventory/types.js';

/** A host as given to `pyro init`. */
export interface InitHost {
  name: string;
  address: string;
  connection?: 'local';
}

export interface Layout {
  hosts: (InitHost & { roles: string[] })[];
}

/** Whether a role placed so belongs on host i of n. */
function placedOn(placement: Placement, i: number, n: number): boolean {
  switch (placement) {
    case 'first':
      return i === 0;
    case 'quorum':
      return i < (n >= 3 ? 3 : 1);
    case 'workers':
      // From five hosts on, the first host is left to the masters.
      return n < 5 || i > 0;
    case 'second':
      return i === Math.min(1, n - 1);
  }
}

/** Proposes roles for n hosts from each role's declared placement, in catalogue order. */
export function proposeLayout(hosts: InitHost[], components: readonly ComponentSpec[]): Layout {
  const roles = components.flatMap((c) => c.roles).filter((r) => r.placement);
  return {
    hosts: hosts.map((h, i) => ({ ...h, roles: roles.filter((r) => placedOn(r.placement!, i, hosts.length)).map((r) => r.role) })),
  };
}

/** Parses `--hosts`: `name=address` or bare addresses (named node1, node2, ...), comma or space separated. */
export function parseHostList(value: string): InitHost[] {
  const items = value.split(/[\s,]+/).filter(Boolean);
  return items.map((item, i) => {
    const eq = item.indexOf('=');
    if (eq > 0) return { name: item.slice(0, eq), address: item.slice(eq + 1) };
    return { name: `node${i + 1}`, address: item };
  });
}
