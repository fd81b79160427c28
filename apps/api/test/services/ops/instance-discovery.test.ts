import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import {
  expandInstanceUrls,
  readInstanceList,
  type LookupAll,
} from "../../../src/services/ops/instance-discovery.ts";

/** A name server that knows a few names (the real one cannot hold a headless Service here). */
const names: Record<string, { address: string; family: number }[]> = {
  "strata-api-pods": [
    { address: "10.1.0.7", family: 4 },
    { address: "10.1.0.9", family: 4 },
    { address: "10.1.0.7", family: 4 },
  ],
  "api-1": [{ address: "172.18.0.5", family: 4 }],
  "v6-pods": [
    { address: "fd00::7", family: 6 },
    { address: "fd00::9", family: 6 },
  ],
};
const lookup: LookupAll = async (host) => {
  const found = names[host];
  if (!found)
    throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: "ENOTFOUND" });
  return found;
};

describe("the instances OPS_INSTANCE_URLS stands for", () => {
  it("is one URL per address of a name with several (a headless Service), port kept", async () => {
    expect(await expandInstanceUrls(["http://strata-api-pods:3000"], lookup)).toEqual([
      "http://10.1.0.7:3000",
      "http://10.1.0.9:3000",
    ]);
    expect(await expandInstanceUrls(["http://v6-pods:3000"], lookup)).toEqual([
      "http://[fd00::7]:3000",
      "http://[fd00::9]:3000",
    ]);
  });

  it("keeps address literals, single-address names and names that do not resolve as given", async () => {
    const given = [
      "http://127.0.0.1:4001",
      "http://[::1]:4002",
      "http://api-1:3000",
      "http://gone:3000",
    ];
    expect(await expandInstanceUrls(given, lookup)).toEqual(given);
  });

  it("lists localhost once, with the system's own resolver", async () => {
    expect(await expandInstanceUrls(["http://localhost:4001"])).toEqual(["http://localhost:4001"]);
  });
});

describe("the instance list file (OPS_INSTANCE_LIST_FILE)", () => {
  it("is one base URL per line; anything else, or no file, falls back", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "strata-list-"));
    try {
      const file = path.join(dir, "instances.txt");
      fs.writeFileSync(file, "http://127.0.0.1:4001\n\nnot a url\nhttp://127.0.0.1:4002/\n");
      expect(await readInstanceList(file)).toEqual([
        "http://127.0.0.1:4001",
        "http://127.0.0.1:4002",
      ]);
      fs.writeFileSync(file, "\n");
      expect(await readInstanceList(file)).toBeUndefined();
      expect(await readInstanceList(path.join(dir, "missing.txt"))).toBeUndefined();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
