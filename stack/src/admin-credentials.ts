import crypto from "node:crypto";
import fs from "node:fs";

export interface AdminCredentials {
  email: string;
  password: string;
  /** "environment" when ADMIN_EMAIL/ADMIN_PASSWORD were given, else "generated". */
  source: "environment" | "generated";
}

/**
 * The first admin: ADMIN_EMAIL/ADMIN_PASSWORD when set; otherwise generated on first start
 * and kept in the data folder (mode 0600, readable by the owner only) so every later start
 * prints the same ones. `--reset` deletes them with the rest of the data.
 */
export function adminCredentials(
  file: string,
  fromEnv: { email: string; password: string } | undefined,
): AdminCredentials {
  if (fromEnv) return { ...fromEnv, source: "environment" };
  if (fs.existsSync(file)) {
    const saved = JSON.parse(fs.readFileSync(file, "utf8")) as { email: string; password: string };
    return { ...saved, source: "generated" };
  }
  const generated = {
    email: "admin@strata.test",
    password: crypto.randomBytes(18).toString("base64url"),
  };
  fs.writeFileSync(file, `${JSON.stringify(generated, null, 2)}\n`, { mode: 0o600 });
  return { ...generated, source: "generated" };
}
