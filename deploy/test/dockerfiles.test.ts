import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { renderKustomization } from "./support/kustomize.ts";
import { finalInstructions, readDockerfile, type Stage } from "./support/dockerfile.ts";
import { find, k8sDir } from "./support/k8s.ts";
import { fromRoot } from "./support/paths.ts";
import { bundleNodeArgs, serverBundles } from "../../stack/src/build/server-bundles.ts";
import { repoRoot } from "../../stack/src/settings.ts";

/** Each image: its Dockerfile, the workspace it installs, and the Kubernetes pods it runs in. */
const IMAGES = {
  api: { workspace: "@strata/api", server: "api", port: "PORT" },
  worker: { workspace: "@strata/worker", server: "worker", port: "WORKER_PORT" },
  nginx: undefined,
  pgbouncer: undefined,
} as const;

const dockerfile = (image: string) => fromRoot("deploy", "docker", `${image}.Dockerfile`);
const stagesOf = (image: string): Stage[] => readDockerfile(dockerfile(image));
const instructions = (image: string, keyword: string) =>
  finalInstructions(stagesOf(image), keyword);
const one = (image: string, keyword: string) => {
  const found = instructions(image, keyword);
  expect(found, `${image}: ${keyword}`).toHaveLength(1);
  return found[0]!.args;
};

/** .dockerignore's patterns as a predicate (`**`, `*`, `!` negation; enough for ours). */
function dockerIgnored(): (file: string) => boolean {
  const rules = fs
    .readFileSync(fromRoot(".dockerignore"), "utf8")
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith("#"))
    .map((line) => {
      const negate = line.startsWith("!");
      const glob = negate ? line.slice(1) : line;
      const source = glob
        .split("/")
        .map((part) =>
          part === "**" ? ".*" : part.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, "[^/]*"),
        )
        .join("/")
        .replace(/^\.\*\//, "(.*/)?");
      return { negate, pattern: new RegExp(`^${source}(/.*)?$`) };
    });
  return (file) => {
    let ignored = false;
    for (const rule of rules) if (rule.pattern.test(file)) ignored = !rule.negate;
    return ignored;
  };
}

describe("container images (deploy/docker)", () => {
  const ignored = dockerIgnored();

  it("keep modules, secrets, local data and git out of the build context", () => {
    for (const file of ["node_modules", "apps/api/node_modules", ".git", ".data", ".env"]) {
      expect(ignored(file), file).toBe(true);
    }
    expect(ignored("deploy/compose/.env")).toBe(true);
    expect(ignored("deploy/compose/.env.example")).toBe(false);
    expect(ignored("deploy/k8s/overlays/production/secrets.env")).toBe(true);
    expect(ignored("apps/api/src/server.ts")).toBe(false);
  });

  for (const image of Object.keys(IMAGES)) {
    describe(image, () => {
      it("runs as a non-root user, numerically, with a HEALTHCHECK", () => {
        expect(one(image, "USER")).toMatch(/^[1-9]\d*:[1-9]\d*$/);
        expect(instructions(image, "HEALTHCHECK")).toHaveLength(1);
      });

      it("copies only files that exist and that .dockerignore lets into the context", () => {
        for (const stage of stagesOf(image)) {
          for (const copy of stage.instructions.filter((i) => i.keyword === "COPY")) {
            const words = copy.args.split(/\s+/).filter((w) => !w.startsWith("--"));
            if (/--from=/.test(copy.args)) continue;
            for (const source of words.slice(0, -1)) {
              if (source === ".") continue;
              expect(fs.existsSync(fromRoot(source)), `${image}: COPY ${source}`).toBe(true);
              expect(ignored(source), `${image}: COPY ${source} is in .dockerignore`).toBe(false);
            }
          }
        }
      });

      it("bakes no secret in: no secret-looking ARG or ENV", () => {
        for (const stage of stagesOf(image)) {
          for (const i of stage.instructions.filter((x) => ["ARG", "ENV"].includes(x.keyword))) {
            expect(i.args, `${image}:${i.line}`).not.toMatch(/(PASSWORD|SECRET|TOKEN|_KEY)\b/);
          }
        }
      });

      it("builds on pinned base images, never :latest", () => {
        const text = fs.readFileSync(dockerfile(image), "utf8");
        for (const [, value] of text.matchAll(/^ARG \w+_IMAGE=(\S+)$/gm)) {
          expect(value).toMatch(/:[\w.-]+$/);
          expect(value).not.toMatch(/:latest$/);
        }
      });
    });
  }

  for (const [image, app] of Object.entries(IMAGES)) {
    if (!app) continue;
    describe(`${image} (Node)`, () => {
      it("is multi-stage and installs only the workspace's production dependencies, as locked", () => {
        const stages = stagesOf(image);
        expect(stages.length).toBeGreaterThanOrEqual(3);
        const install = stages
          .flatMap((s) => s.instructions)
          .find((i) => i.keyword === "RUN" && i.args.includes("npm ci"));
        expect(install?.args).toContain("--omit=dev");
        expect(install?.args).toContain(`--workspace=${app.workspace}`);
      });

      it("builds the bundle the stack runs in a build stage, and runs it", () => {
        const { entry, outfile } = serverBundles[app.server];
        expect(fs.existsSync(fromRoot(entry))).toBe(true);
        const build = stagesOf(image)
          .flatMap((s) => s.instructions)
          .find((i) => i.keyword === "RUN" && i.args.includes("build:servers"));
        expect(build?.args).toBe(`npm run build:servers -- ${app.server}`);
        const copied = instructions(image, "COPY").map((i) => i.args);
        expect(copied).toContain(
          `--from=build /src/${path.dirname(outfile)} ./${path.dirname(outfile)}`,
        );
        const bundle = path.join(repoRoot, outfile);
        expect(JSON.parse(one(image, "CMD"))).toEqual([
          "node",
          ...bundleNodeArgs(bundle, app.server).map((arg) => (arg === bundle ? outfile : arg)),
        ]);
        const dir = path.dirname(path.dirname(entry));
        const pkg = JSON.parse(fs.readFileSync(fromRoot(dir, "package.json"), "utf8"));
        expect(pkg.name).toBe(app.workspace);
      });

      it("listens and health-checks on the port it exposes", () => {
        const env = instructions(image, "ENV")
          .map((i) => i.args)
          .join(" ");
        const port = new RegExp(`\\b${app.port}=(\\d+)`).exec(env)?.[1];
        expect(port).toBeDefined();
        expect(one(image, "EXPOSE")).toBe(port);
        expect(JSON.parse(one(image, "HEALTHCHECK").replace(/^.*?CMD\s+/, ""))).toEqual([
          "node",
          "deploy/docker/healthcheck.mjs",
          app.port,
        ]);
      });
    });
  }

  it("nginx: ships the generated configuration and the web build where that configuration looks", () => {
    const conf = fs.readFileSync(fromRoot("deploy/nginx/strata.conf"), "utf8");
    const copies = instructions("nginx", "COPY").map((i) => i.args);
    expect(copies).toContain("deploy/nginx/strata.conf /etc/nginx/nginx.conf");
    const root = /^\s*root (\S+);/m.exec(conf)?.[1];
    expect(copies).toContain(`--from=web /app/apps/web/dist ${root}`);
    // Every folder the configuration writes to belongs to the user nginx runs as.
    const run = instructions("nginx", "RUN")
      .map((i) => i.args)
      .join(" ");
    const chowned = /chown -R www-data:www-data ([^&]+)/.exec(run)?.[1]!.trim().split(/\s+/) ?? [];
    const written = [
      /^pid (\S+);/m.exec(conf)?.[1],
      ...[...conf.matchAll(/^\s*proxy_cache_path (\S+)/gm)].map((m) => m[1]),
    ].filter((p): p is string => p !== undefined);
    for (const file of written) {
      expect(
        chowned.some((dir) => file.startsWith(`${dir}/`)),
        file,
      ).toBe(true);
    }
    for (const [, log] of conf.matchAll(/^\s*(?:access_log|error_log) (\/\S+)/gm)) {
      expect(run, `${log} goes to the container's output`).toMatch(
        new RegExp(`ln -sf /dev/std(out|err) ${log}`),
      );
    }
    // Modules the configuration loads come from the Debian packages the image installs.
    for (const [, module] of conf.matchAll(/^\s*load_module \S*ngx_http_(\w+)_module\.so/gm)) {
      expect(run).toContain(`libnginx-mod-http-${module!.replaceAll("_", "-")}`);
    }
    expect(one("nginx", "STOPSIGNAL")).toBe("SIGQUIT");
  });

  it("pgbouncer: the entrypoint, and a safe-shutdown stop signal", () => {
    expect(instructions("pgbouncer", "COPY").map((i) => i.args)).toContain(
      "--chmod=0755 deploy/pgbouncer/entrypoint.sh /usr/local/bin/strata-pgbouncer",
    );
    expect(one("pgbouncer", "STOPSIGNAL")).toBe("SIGINT");
    expect(JSON.parse(one("pgbouncer", "ENTRYPOINT"))).toEqual(["/usr/local/bin/strata-pgbouncer"]);
  });

  it("run in Kubernetes as the very user each image declares", () => {
    const objects = renderKustomization(path.join(k8sDir, "overlays", "production"));
    const migration = renderKustomization(path.join(k8sDir, "overlays", "production", "migrate"));
    const pods: [string, string, string][] = [
      ["Deployment", "strata-api", "api"],
      ["Job", "strata-migrate", "api"],
      ["Deployment", "strata-worker", "worker"],
      ["Deployment", "strata-web", "nginx"],
      ["Deployment", "strata-pgbouncer", "pgbouncer"],
    ];
    for (const [kind, name, image] of pods) {
      const object = find([...objects, ...migration], kind, name);
      const [uid] = one(image, "USER").split(":");
      expect(String(object.spec.template.spec.securityContext.runAsUser), name).toBe(uid);
      expect(object.spec.template.spec.securityContext.runAsNonRoot).toBe(true);
    }
  });
});
