// The emulated IMS of one stub: its jobs, its images, and what tests decided about the next jobs. Nothing is
// shared with any other stub in the process. The control API resets it and loads its world.
import type { components } from "../../generated/control-openapi.js";
import { ImageStore } from "./images/store.js";
import { worldImage } from "./images/world.js";
import { JobStore, type Progression } from "./jobs/store.js";
import { Scenario } from "./scenario.js";

type World = components["schemas"]["World"];

export type BackendSettings = { maxJobs: number; imageQuota: number; progression: Progression; jobDurationMs: number; world: World | undefined };

export class ImsBackend {
  readonly jobs: JobStore;
  readonly images: ImageStore;
  readonly scenario: Scenario;

  constructor(
    private readonly settings: BackendSettings,
    now: () => number,
  ) {
    this.jobs = new JobStore(settings.maxJobs, now);
    this.images = new ImageStore(settings.imageQuota, now);
    this.scenario = new Scenario({ progression: settings.progression, durationMs: settings.jobDurationMs });
    this.reset();
  }

  /** Back to the start: no jobs, no rules, no images but the start-up world's. */
  reset(): void {
    this.jobs.clear();
    this.images.clear();
    this.scenario.reset();
    if (this.settings.world) this.loadWorld(this.settings.world);
    else this.clearWorld();
  }

  loadWorld(world: World): void {
    this.scenario.loadWorld(world);
    this.images.replaceExisting((world.images ?? []).map(worldImage));
  }

  clearWorld(): void {
    this.scenario.clearWorld();
    this.images.replaceExisting([]);
  }
}
