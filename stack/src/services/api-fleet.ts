import { freePort } from "@strata/local-servers";
import { startSupervisedServer } from "./supervised-server.ts";
import type { DataLayout } from "../data-layout.ts";
import type { UpstreamServer } from "../nginx/generate-nginx-config.ts";
import { upstreamRoles } from "../nginx/upstream-roles.ts";
import type { Supervisor } from "../process/supervisor.ts";
import type { StackSettings } from "../settings.ts";

export interface InstanceSlot {
  id: string;
  port: number;
}

/**
 * The API instances. Each slot keeps its id and port for the life of the stack, so a restart
 * needs no nginx reload: nginx sees the port refuse connections for a moment (and retries
 * elsewhere), then answer again.
 */
export class ApiFleet {
  #slots: InstanceSlot[] = [];
  /** Instances marked `down` in nginx while they restart. */
  readonly #outOfRotation = new Set<string>();
  readonly #settings: StackSettings;
  readonly #layout: DataLayout;
  readonly #supervisor: Supervisor;
  readonly #env: (slot: InstanceSlot) => NodeJS.ProcessEnv;

  constructor(options: {
    settings: StackSettings;
    layout: DataLayout;
    supervisor: Supervisor;
    env: (slot: InstanceSlot) => NodeJS.ProcessEnv;
  }) {
    this.#settings = options.settings;
    this.#layout = options.layout;
    this.#supervisor = options.supervisor;
    this.#env = options.env;
  }

  get slots(): readonly InstanceSlot[] {
    return this.#slots;
  }

  servers(): UpstreamServer[] {
    return upstreamRoles(
      this.#slots.map((s) => ({ name: s.id, address: `127.0.0.1:${s.port}` })),
    ).map((server) => (this.#outOfRotation.has(server.name) ? { ...server, down: true } : server));
  }

  slot(id: string): InstanceSlot {
    const slot = this.#slots.find((s) => s.id === id);
    if (!slot) throw new Error(`no instance ${id} (instances: ${this.#slots.map((s) => s.id)})`);
    return slot;
  }

  /** The stop bound: drain delay, in-flight requests, then a margin before SIGKILL. */
  get stopTimeoutMs(): number {
    return this.#settings.drainDelayMs + this.#settings.api.shutdownTimeoutMs + 5_000;
  }

  /** Adds slots up to `count` and starts their instances in parallel. */
  async grow(count: number): Promise<InstanceSlot[]> {
    const added: InstanceSlot[] = [];
    while (this.#slots.length + added.length < count) {
      added.push({ id: `api-${this.#slots.length + added.length + 1}`, port: await freePort() });
    }
    this.#slots.push(...added);
    try {
      await Promise.all(added.map((slot) => this.start(slot.id)));
    } catch (error) {
      await Promise.all(added.map((slot) => this.stop(slot.id)));
      this.#slots = this.#slots.filter((s) => !added.includes(s));
      throw error;
    }
    return added;
  }

  /** Removes the highest-numbered slots down to `count` (stop them after nginx forgot them). */
  detach(count: number): InstanceSlot[] {
    const removed = this.#slots.slice(count);
    this.#slots = this.#slots.slice(0, count);
    return removed;
  }

  /** Starts the instance of a slot and waits until its /ready answers 200. */
  async start(id: string): Promise<void> {
    const slot = this.slot(id);
    if (this.#supervisor.isRunning(id)) return;
    this.#supervisor.forget(id);
    await startSupervisedServer({
      id,
      server: "api",
      port: slot.port,
      env: this.#env(slot),
      layout: this.#layout,
      supervisor: this.#supervisor,
      stopTimeoutMs: this.stopTimeoutMs,
      readyTimeoutMs: this.#settings.readyTimeoutMs,
    });
  }

  /** Graceful stop: drain, finish in-flight requests, exit. */
  stop(id: string): Promise<void> {
    return this.#supervisor.stop(id);
  }

  /** kill -9, for crash drills. */
  kill(id: string): void {
    this.#supervisor.kill(id);
  }

  /**
   * Restarts every instance, one at a time, primaries first and the backup last. Each one is
   * taken out of nginx's rotation first (`down`, graceful reload: `publish` writes the
   * upstream list and waits until nginx serves it), so nothing new is sent to it; then it
   * drains and stops, starts on the same port, and is put back once /ready answers.
   * Stopping an instance nginx still sends to would race its final close of idle sockets
   * against a request nginx is writing into a fresh connection — a sent POST nginx never
   * resends, so the client would get a 502 (seen about once in 10,000 requests).
   */
  async rollingRestart(
    publish: (servers: UpstreamServer[]) => Promise<void>,
    onStep?: (id: string) => void,
  ): Promise<void> {
    const ordered = [...this.servers()].sort((a, b) => Number(a.backup) - Number(b.backup));
    for (const server of ordered) {
      onStep?.(server.name);
      this.#outOfRotation.add(server.name);
      try {
        await publish(this.servers());
        await this.stop(server.name);
        await this.start(server.name);
      } finally {
        this.#outOfRotation.delete(server.name);
        await publish(this.servers());
      }
    }
  }
}
