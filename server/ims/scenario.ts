// What IMS would do with a job: the world of resources that exist, the outcome rules a test set through the
// control API, and the preferences of the create's own Prefer header, in rising precedence.
import type { components } from "../../generated/control-openapi.js";
import { failOutcome, type JobBehaviour, type JobPlan, type Outcome, type Progression } from "./jobs/store.js";

export type OutcomeRule = components["schemas"]["OutcomeRule"];
export type World = components["schemas"]["World"];

/** A job's preferences from the Prefer header; each field overrides what rules and the world decided. */
export type JobPreferences = Partial<{ outcome: Outcome; progression: Progression; durationMs: number }>;

const MISSING_RESOURCE_CODE = { server: "IMG.0005", volume: "IMG.0120", file: "IMG.0057" } as const;

type StoredRule = OutcomeRule & { id: string };

export class Scenario {
  private rules: StoredRule[] = [];
  /** The IDs of each kind of resource the world lists; a kind it does not list is not checked. */
  private world: { server?: Set<string>; volume?: Set<string>; file?: Set<string> } | undefined;
  private nextRuleId = 1;

  constructor(private readonly defaults: { progression: Progression; durationMs: number }) {}

  reset(): void {
    this.rules = [];
    this.world = undefined;
  }

  addRule(rule: OutcomeRule): string {
    const id = `rule-${this.nextRuleId++}`;
    this.rules.push({ ...rule, id });
    return id;
  }

  clearRules(): void {
    this.rules = [];
  }

  loadWorld(world: World): void {
    const known = (ids: string[] | undefined) => (ids === undefined ? undefined : new Set(ids));
    this.world = { server: known(world.servers), volume: known(world.volumes), file: known(world.files) };
  }

  clearWorld(): void {
    this.world = undefined;
  }

  decide(plan: JobPlan, preferences: JobPreferences): JobBehaviour {
    let outcome: Outcome = { status: "SUCCESS" };
    let { progression, durationMs } = this.defaults;
    const missing = this.world && plan.sources.find((source) => this.world![source.kind]?.has(source.id) === false);
    if (missing) outcome = failOutcome(MISSING_RESOURCE_CODE[missing.kind]);

    const ids = new Set(plan.sources.map((source) => source.id));
    const rule = this.rules.find((candidate) => candidate.source_id === undefined || ids.has(candidate.source_id));
    if (rule) {
      if (rule.outcome === "FAIL") outcome = failOutcome(rule.error_code ?? "IMG.0018", rule.fail_reason);
      else if (rule.outcome === "SUCCESS") outcome = { status: "SUCCESS" };
      progression = rule.progression ?? progression;
      durationMs = rule.duration_ms ?? durationMs;
      if (rule.times !== undefined && --rule.times === 0) this.rules = this.rules.filter((r) => r !== rule);
    }
    return {
      outcome: preferences.outcome ?? outcome,
      progression: preferences.progression ?? progression,
      durationMs: preferences.durationMs ?? durationMs,
    };
  }
}
