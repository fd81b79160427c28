import type { UpstreamServer } from "./generate-nginx-config.ts";

/** Weights of the brief: primaries 3, the backup 1. */
export const PRIMARY_WEIGHT = 3;
export const BACKUP_WEIGHT = 1;

/**
 * The upstream roles for a fleet, in order: with three or more instances the last one is the
 * backup (weight 1, traffic only while every primary is unavailable); with one or two all are
 * primaries, since a lone primary beside a backup would leave nothing to balance.
 */
export function upstreamRoles(instances: { name: string; address: string }[]): UpstreamServer[] {
  const withBackup = instances.length >= 3;
  return instances.map((instance, i) => {
    const backup = withBackup && i === instances.length - 1;
    return { ...instance, weight: backup ? BACKUP_WEIGHT : PRIMARY_WEIGHT, backup };
  });
}
