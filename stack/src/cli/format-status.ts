import path from "node:path";
import type { AdminCredentials } from "../admin-credentials.ts";
import type { StackStatus } from "../stack.ts";

/** A plain text table, columns padded to their widest cell. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join("  ")
      .trimEnd();
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}

const shortPath = (file: string) => {
  const relative = path.relative(process.cwd(), file);
  return relative.startsWith("..") ? file : relative;
};

/** The process table: role, name, pid, address, nginx weight, state, log file. */
export function formatStatus(status: StackStatus): string {
  const upstream = new Map(status.instances.map((i) => [i.id, i]));
  const rows = status.processes.map((p) => {
    const u = upstream.get(p.name);
    const weight = u ? `${u.weight}${u.backup ? " backup" : ""}` : "";
    return [p.role, p.name, String(p.pid), p.address, weight, p.state, shortPath(p.logFile)];
  });
  return table(["role", "name", "pid", "address", "weight", "state", "log"], rows);
}

/** Generated credentials are printed; a password the user chose is never echoed. */
export function formatAdmin(admin: AdminCredentials, file: string): string {
  return admin.source === "generated"
    ? `admin: ${admin.email} / ${admin.password}  (generated on first start, kept in ${shortPath(file)}, mode 0600)`
    : `admin: ${admin.email} / (ADMIN_PASSWORD)`;
}
