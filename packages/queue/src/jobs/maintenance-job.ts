import { z } from "zod";

/**
 * Recurring housekeeping, registered once through the job scheduler (an upsert: any number of
 * workers and restarts keep exactly one schedule): thumbnails that were never enqueued (the
 * queue was down when the image was uploaded) are made, and temporary upload objects left by a
 * crashed instance are deleted.
 */
export const MaintenanceJob = z.strictObject({});
export type MaintenanceJob = z.infer<typeof MaintenanceJob>;

export const MAINTENANCE_JOB = "maintenance";
export const MAINTENANCE_SCHEDULER_ID = "maintenance-every-minute";
export const MAINTENANCE_EVERY_MS = 60_000;
