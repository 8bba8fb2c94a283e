import { Type } from '@sinclair/typebox';
import type { ServiceInstance } from '../../inventory/types.js';

/** NodeManager settings beside heap, ports, dirs and config. */
export const NODEMANAGER_SETTINGS = {
  memoryMb: Type.Integer({ minimum: 512, description: 'memory for containers (default: from the host)' }),
  vcores: Type.Integer({ minimum: 1, description: 'vcores for containers (default: host cores)' }),
};

/** Unset values are sized from the host when it is read (see files.ts). */
export interface NodeManagerSettings {
  memoryMb?: number;
  vcores?: number;
}

export function nodeManagerSettings(inst: ServiceInstance): NodeManagerSettings {
  return inst.settings as NodeManagerSettings;
}
