import type { ServiceInstance } from '../inventory/types.js';
import type { InstancePaths } from '../services/runtime.js';

/** The unit's name: the cluster's name in it, so two clusters on one host never share a unit. */
export function unitName(cluster: string, inst: ServiceInstance): string {
  return `pyro-${cluster}-${inst.def.role}.service`;
}

/**
 * A unit running the instance's run.sh, for hosts with `supervisor: systemd`. systemd restarts it after a crash;
 * a stop gets SIGTERM, then SIGKILL after the role's grace period. Exit 143 (SIGTERM) counts as a clean stop.
 * `keepChildren`: only the main process is signalled (KillMode=process), so what it started (a NodeManager's
 * containers) outlives a restart, as with pyro's own supervisor.
 */
export function renderUnit(cluster: string, inst: ServiceInstance, paths: InstancePaths, stopGraceSec: number, asRoot: boolean, keepChildren = false): string {
  return [
    '[Unit]',
    `Description=pyro ${inst.def.title} (cluster ${cluster})`,
    'After=network-online.target',
    'Wants=network-online.target',
    '',
    '[Service]',
    'Type=simple',
    `ExecStart=/bin/sh ${paths.conf}/run.sh`,
    `WorkingDirectory=${paths.logs}`,
    `StandardOutput=append:${paths.logs}/${inst.def.role}.out`,
    'StandardError=inherit',
    'KillSignal=SIGTERM',
    ...(keepChildren ? ['KillMode=process'] : []),
    `TimeoutStopSec=${stopGraceSec}`,
    'SuccessExitStatus=143',
    'Restart=on-failure',
    'RestartSec=10',
    'LimitNOFILE=100000',
    '',
    '[Install]',
    `WantedBy=${asRoot ? 'multi-user.target' : 'default.target'}`,
    '',
  ].join('\n');
}
