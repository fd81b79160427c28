import path from "node:path";
import { repoRoot } from "../settings.ts";
import { generateNginxConfig } from "./generate-nginx-config.ts";
import { productionNginxSettings } from "./production-settings.ts";

/** The committed production configuration, and what the generator makes of it today. */
export const deployNginxFile = path.join(repoRoot, "deploy", "nginx", "strata.conf");

export const renderDeployNginxConfig = (): string => generateNginxConfig(productionNginxSettings);
