// The "Try it" console: a panel beside the Redoc reference from which a reader sends any operation of the contract
// to a server they pick, signed with a token or AK/SK, and reads the answer; after a create it follows the job to
// its end with the client's own waiter and opens the image. Driven entirely by the contract embedded in the page.
import { ImsError, ImsNetworkError } from "../../../client/errors.ts";
import { imageIdsOf, type Job, waitForJob } from "../../../client/waiter.ts";
import { field, h, uid } from "./dom.ts";
import type { Messages } from "./messages.ts";
import { type BodyExample, emptyBody, evaluateExpression, type Link, type OpenApiDocument, type Operation, operationsOf, serverUrls, tagLabel } from "./openapi.ts";
import { type Credentials, describeRequest, type Outcome, parameterKey, prepare, send, serverBase } from "./request.ts";

const REQUEST_TIMEOUT_MS = 30_000;
/** How long the console follows a job: images take minutes on the real service. */
const FOLLOW_MAX_SECONDS = 600;

export type ConsoleOptions = {
  document: OpenApiDocument;
  t: Messages;
  /** The stub's example AK/SK pair, offered on a button (it is in the README too). */
  examplePair: { ak: string; sk: string; projectId: string } | undefined;
  /** Where the toggle button goes. */
  bar: HTMLElement;
};

export class TryItConsole {
  readonly operations: Operation[];
  readonly panel: HTMLElement;
  readonly toggle: HTMLButtonElement;
  private readonly t: Messages;
  private readonly document: OpenApiDocument;
  private readonly server: HTMLInputElement;
  private readonly serverHint: HTMLParagraphElement;
  private readonly authToken: HTMLInputElement;
  private readonly authAksk: HTMLInputElement;
  private readonly token: HTMLInputElement;
  private readonly ak: HTMLInputElement;
  private readonly sk: HTMLInputElement;
  private readonly project: HTMLInputElement;
  private readonly tokenFields: HTMLElement;
  private readonly akskFields: HTMLElement;
  private readonly operationSelect: HTMLSelectElement;
  private readonly parameters: HTMLElement;
  private readonly bodyArea: HTMLElement;
  private readonly sendButton: HTMLButtonElement;
  private readonly problems: HTMLElement;
  private readonly result: HTMLElement;
  private readonly job: HTMLElement;
  private parameterInputs = new Map<string, HTMLInputElement | HTMLSelectElement>();
  private contentType: HTMLSelectElement | undefined;
  private bodyText: HTMLTextAreaElement | undefined;
  /** IDs answers gave (a job_id, an image_id), offered again to path parameters of the same name. */
  private remembered = new Map<string, string>();
  private following: AbortController | undefined;
  private opener: HTMLElement | undefined;

  constructor(options: ConsoleOptions) {
    const { t } = options;
    this.t = t;
    this.document = options.document;
    this.operations = operationsOf(options.document);

    const titleId = uid("title");
    this.toggle = h("button", { type: "button", class: "ims-toggle", "aria-expanded": "false", "aria-controls": "ims-console", title: t.toggleHint }, t.toggle);
    options.bar.append(this.toggle);

    this.server = h("input", { type: "url", name: "server", autocomplete: "url", spellcheck: "false", list: "ims-servers", placeholder: "http://127.0.0.1:8080" });
    this.serverHint = h("p", { class: "ims-hint", id: uid("hint") });
    this.server.setAttribute("aria-describedby", this.serverHint.id);
    const servers = h("datalist", { id: "ims-servers" }, ...serverUrls(this.document).map((server) => h("option", { value: server.url }, server.description)));

    const authName = uid("auth");
    this.authToken = h("input", { type: "radio", name: authName, value: "token", id: uid("auth"), checked: true });
    this.authAksk = h("input", { type: "radio", name: authName, value: "aksk", id: uid("auth") });
    this.token = h("input", { type: "text", name: "token", autocomplete: "off", spellcheck: "false", placeholder: "my-token" });
    this.ak = h("input", { type: "text", name: "ak", autocomplete: "off", spellcheck: "false" });
    this.sk = h("input", { type: "password", name: "sk", autocomplete: "off", spellcheck: "false" });
    this.project = h("input", { type: "text", name: "project", autocomplete: "off", spellcheck: "false" });
    const examplePair = options.examplePair;
    const useExample = examplePair ? h("button", { type: "button", class: "ims-secondary" }, t.useExamplePair) : undefined;
    useExample?.addEventListener("click", () => {
      this.ak.value = examplePair!.ak;
      this.sk.value = examplePair!.sk;
      this.project.value = examplePair!.projectId;
    });
    this.tokenFields = h("div", {}, field(t.tokenLabel, this.token));
    this.akskFields = h("div", { hidden: true }, field(t.akLabel, this.ak), field(t.skLabel, this.sk, t.secretNote), useExample);
    for (const radio of [this.authToken, this.authAksk]) radio.addEventListener("change", () => this.showAuthFields());

    this.operationSelect = h("select", { name: "operation" });
    const byTag = new Map<string, Operation[]>();
    for (const operation of this.operations) byTag.set(operation.tag, [...(byTag.get(operation.tag) ?? []), operation]);
    for (const [tag, operations] of byTag) {
      const options = operations.map((operation) => h("option", { value: operation.id }, `${operation.method} ${operation.path}${operation.summary ? ` — ${operation.summary}` : ""}`));
      if (tag) this.operationSelect.append(h("optgroup", { label: tagLabel(this.document, tag) }, ...options));
      else this.operationSelect.append(...options);
    }
    this.operationSelect.addEventListener("change", () => this.renderOperation());

    this.parameters = h("div", { class: "ims-parameters" });
    this.bodyArea = h("div", { class: "ims-body" });
    this.sendButton = h("button", { type: "submit", class: "ims-primary" }, t.send);
    this.problems = h("div", { class: "ims-problems", role: "alert" });
    this.result = h("section", { class: "ims-result", "aria-label": t.responseHeading, hidden: true });
    this.job = h("section", { class: "ims-job", "aria-label": t.jobHeading, hidden: true });

    const form = h(
      "form",
      { novalidate: true },
      h("fieldset", {}, h("legend", {}, t.serverLegend), field(t.serverLabel, this.server), this.serverHint, servers),
      h(
        "fieldset",
        {},
        h("legend", {}, t.authLegend),
        h("div", { class: "ims-choice" }, h("span", {}, this.authToken, h("label", { for: this.authToken.id }, t.authToken)), h("span", {}, this.authAksk, h("label", { for: this.authAksk.id }, t.authAksk))),
        this.tokenFields,
        this.akskFields,
        field(t.projectLabel, this.project, t.projectHint),
      ),
      h("fieldset", {}, h("legend", {}, t.operationLegend), field(t.operationLabel, this.operationSelect), this.parameters, this.bodyArea),
      h("div", { class: "ims-send" }, this.sendButton),
      this.problems,
    );
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      void this.sendCurrent();
    });

    const close = h("button", { type: "button", class: "ims-close", "aria-label": t.close }, "×");
    close.addEventListener("click", () => this.close());
    this.panel = h(
      "aside",
      { id: "ims-console", class: "ims-console", "aria-labelledby": titleId, hidden: true },
      h("div", { class: "ims-head" }, h("h2", { id: titleId, tabindex: "-1" }, t.title), close),
      h("p", { class: "ims-intro" }, t.intro),
      form,
      this.result,
      this.job,
    );
    this.panel.addEventListener("keydown", (event) => {
      if (event.key === "Escape") {
        event.preventDefault();
        this.close();
      }
    });
    this.toggle.addEventListener("click", () => (this.panel.hidden ? this.open(this.operationFromLocation(), this.toggle) : this.close()));
    document.body.append(this.panel);
    this.renderOperation();
    this.setServerHint(false);
  }

  /** The stub serves the docs at /docs: when the page's own server is the stub, it is the default server. */
  async detectServer(): Promise<void> {
    if (!/^https?:$/.test(location.protocol)) return;
    try {
      // The stub marks every answer with X-Request-Id; a static web server does not, and is not asked further.
      const page = await fetch(location.href.split("#")[0]!, { method: "HEAD", cache: "no-store", credentials: "omit" });
      if (!page.headers.has("X-Request-Id")) return;
      const spec = await fetch(new URL("/openapi.json", location.origin), { cache: "no-store", credentials: "omit" });
      const served = spec.ok ? ((await spec.json()) as OpenApiDocument) : undefined;
      const samePaths = served?.paths && Object.keys(served.paths).join() === Object.keys(this.document.paths ?? {}).join();
      if (samePaths && !this.server.value) {
        this.server.value = location.origin;
        this.setServerHint(true);
      }
    } catch {
      // Not the stub, or not reachable: the reader names the server.
    }
  }

  private setServerHint(servedByStub: boolean): void {
    const { t } = this;
    this.serverHint.replaceChildren(servedByStub ? t.serverStub : t.serverAsk, " ", t.serverCors(location.protocol === "file:" ? "null (file://)" : location.origin));
  }

  open(operation: Operation | undefined, opener: HTMLElement): void {
    this.opener = opener;
    if (operation && operation.id !== this.operationSelect.value) {
      this.operationSelect.value = operation.id;
      this.renderOperation();
    }
    this.panel.hidden = false;
    document.documentElement.classList.add("ims-console-open");
    this.toggle.setAttribute("aria-expanded", "true");
    this.panel.querySelector<HTMLElement>("h2")!.focus();
  }

  close(): void {
    this.panel.hidden = true;
    document.documentElement.classList.remove("ims-console-open");
    this.toggle.setAttribute("aria-expanded", "false");
    (this.opener?.isConnected ? this.opener : this.toggle).focus();
  }

  /** The operation whose section the page's address points at (Redoc keeps it in the hash), if any. */
  private operationFromLocation(): Operation | undefined {
    const last = location.hash.split("/").pop()?.toLowerCase();
    return this.operations.find((operation) => operation.id.toLowerCase() === last);
  }

  private get operation(): Operation {
    return this.operations.find((operation) => operation.id === this.operationSelect.value) ?? this.operations[0]!;
  }

  private showAuthFields(): void {
    const aksk = this.authAksk.checked;
    this.tokenFields.hidden = aksk;
    this.akskFields.hidden = !aksk;
  }

  private credentials(): Credentials {
    return this.authAksk.checked
      ? { kind: "aksk", ak: this.ak.value, sk: this.sk.value, projectId: this.project.value }
      : { kind: "token", token: this.token.value };
  }

  /** Rebuilds the parameter and body controls for the selected operation. */
  private renderOperation(): void {
    const { t } = this;
    const operation = this.operation;
    this.parameterInputs = new Map();
    const parameterFields = operation.parameters
      .filter((parameter) => parameter.in !== "cookie")
      .map((parameter) => {
        const values = parameter.schema.enum ?? (parameter.schema.type === "boolean" ? [true, false] : undefined);
        const control = values
          ? h("select", {}, h("option", { value: "" }, ""), ...values.map((value) => h("option", { value: String(value) }, String(value))))
          : h("input", { type: "text", autocomplete: "off", spellcheck: "false", placeholder: parameter.example ?? (parameter.name === "project_id" ? t.projectLabel : undefined) });
        // A path parameter gets the ID an earlier answer gave under its name (a filter is the reader's choice).
        control.value = parameter.in === "path" ? (this.remembered.get(parameter.name) ?? "") : "";
        if (parameter.required) control.setAttribute("aria-required", "true");
        this.parameterInputs.set(parameterKey(parameter), control);
        const description = parameter.description.split("\n")[0];
        return field(`${parameter.name} (${parameter.in})`, control, description, parameter.required ? h("span", { class: "ims-required" }, ` · ${t.required}`) : undefined);
      });
    this.parameters.replaceChildren(...(parameterFields.length > 0 ? [h("h3", {}, t.parametersHeading), ...parameterFields] : []));

    this.contentType = undefined;
    this.bodyText = undefined;
    const body = operation.body;
    if (!body) {
      this.bodyArea.replaceChildren();
      return;
    }
    const contentType = h("select", {}, ...body.media.map((media) => h("option", { value: media.contentType }, media.contentType)));
    const example = h("select", {});
    const text = h("textarea", { rows: "14", spellcheck: "false", autocomplete: "off", class: "ims-code" });
    // Every content type of one body carries the same document (JSON-patch as application/json or as
    // application/openstack-images-v2.1-json-patch): a type without examples of its own offers the others'.
    const allExamples = body.media.flatMap((media) => media.examples);
    const examplesOf = () => {
      const media = body.media.find((candidate) => candidate.contentType === contentType.value) ?? body.media[0]!;
      return media.examples.length > 0 ? media.examples : allExamples;
    };
    const show = (chosen: BodyExample | undefined) => {
      const media = body.media.find((candidate) => candidate.contentType === contentType.value) ?? body.media[0]!;
      // An optional body starts empty, so that nothing is sent unless the reader writes one.
      text.value = chosen ? JSON.stringify(chosen.value, null, 2) : body.required ? emptyBody(media.schema) : "";
    };
    example.replaceChildren(...examplesOf().map((candidate) => h("option", { value: candidate.name }, candidate.title)));
    example.addEventListener("change", () => show(examplesOf().find((candidate) => candidate.name === example.value)));
    contentType.addEventListener("change", () => {
      const chosen = example.value;
      example.replaceChildren(...examplesOf().map((candidate) => h("option", { value: candidate.name }, candidate.title)));
      if (examplesOf().some((candidate) => candidate.name === chosen)) example.value = chosen;
      else show(examplesOf()[0]);
    });
    show(examplesOf()[0]);
    this.contentType = contentType;
    this.bodyText = text;
    this.bodyArea.replaceChildren(
      ...(body.media.length > 1 ? [field(t.contentTypeLabel, contentType)] : []),
      ...(allExamples.length > 0 ? [field(t.exampleLabel, example)] : []),
      field(t.bodyLabel, text, undefined, body.required ? h("span", { class: "ims-required" }, ` · ${t.required}`) : undefined),
    );
  }

  /** Parameter values as typed; an empty `project_id` takes the project ID field's value. */
  private parameterValues(): Record<string, string> {
    const values: Record<string, string> = {};
    for (const [key, control] of this.parameterInputs) values[key] = control.value;
    for (const parameter of this.operation.parameters) {
      if (parameter.name === "project_id" && !values[parameterKey(parameter)]?.trim()) values[parameterKey(parameter)] = this.project.value;
    }
    return values;
  }

  private showProblems(messages: string[]): void {
    this.problems.replaceChildren(...(messages.length > 0 ? [h("p", {}, this.t.problemsHeading), h("ul", {}, ...messages.map((message) => h("li", {}, message)))] : []));
  }

  async sendCurrent(): Promise<void> {
    const { t } = this;
    const operation = this.operation;
    this.following?.abort();
    // The previous answer goes at once, so that it cannot be mistaken for this request's.
    this.result.hidden = true;
    this.result.replaceChildren();
    this.job.hidden = true;
    this.job.replaceChildren();
    const prepared = await prepare(
      {
        server: this.server.value,
        operation,
        values: this.parameterValues(),
        contentType: this.contentType?.value,
        body: this.bodyText?.value,
        credentials: this.credentials(),
      },
      t,
    ).catch((error: Error) => ({ problems: [{ field: "auth", message: error.message }] }));
    if ("problems" in prepared) {
      this.showProblems(prepared.problems.map((problem) => problem.message));
      return;
    }
    this.showProblems([]);
    this.sendButton.disabled = true;
    this.sendButton.textContent = t.sending;
    const outcome = await send(prepared.request, REQUEST_TIMEOUT_MS);
    this.sendButton.disabled = false;
    this.sendButton.textContent = t.send;
    const tokenHeader = operation.schemes.find((scheme) => scheme.kind === "token")?.header;
    this.result.hidden = false;
    this.job.hidden = true;
    this.job.replaceChildren();
    this.result.replaceChildren(h("h3", {}, t.responseHeading), ...this.renderOutcome(outcome, describeRequest(prepared.request, tokenHeader)));
    if (outcome.kind === "response") {
      this.remember(outcome.json);
      const follow = this.followLink(operation, outcome);
      if (follow) this.result.append(h("div", { class: "ims-actions" }, follow));
    }
  }

  private remember(body: unknown): void {
    if (typeof body !== "object" || body === null || Array.isArray(body)) return;
    for (const [name, value] of Object.entries(body)) {
      if (typeof value === "string" && /_id$/.test(name) && /^[0-9a-f]{32}$|^[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}$/i.test(value)) this.remembered.set(name, value);
    }
  }

  /** What a reader sees of an answer: status, the IMS error as it came, X-Request-Id, headers and body. */
  private renderOutcome(outcome: Outcome, requestText: string | undefined): Node[] {
    const { t } = this;
    const sent = requestText ? h("details", {}, h("summary", {}, t.requestSent), h("pre", { class: "ims-code", tabindex: "0" }, requestText)) : undefined;
    if (outcome.kind === "network") {
      return [h("p", { class: "ims-status ims-bad", role: "status" }, t.networkFailed(this.server.value.trim(), location.protocol === "file:" ? "null" : location.origin)), ...(sent ? [sent] : [])];
    }
    if (outcome.kind === "timeout") return [h("p", { class: "ims-status ims-bad", role: "status" }, t.timedOut(outcome.ms / 1000)), ...(sent ? [sent] : [])];
    if (outcome.kind === "aborted") return [];
    const ok = outcome.status < 400;
    const nodes: Node[] = [h("p", { class: `ims-status ${ok ? "ims-good" : "ims-bad"}`, role: "status" }, t.statusLine(outcome.status, outcome.statusText, outcome.ms))];
    if (!ok) {
      const error = ImsError.fromResponse(outcome.response, outcome.json ?? outcome.text);
      nodes.push(h("p", { class: "ims-error" }, t.imsError(error.code, error.message)));
    }
    const requestId = outcome.response.headers.get("X-Request-Id");
    if (requestId) nodes.push(h("p", { class: "ims-request-id" }, t.requestIdLine(requestId)));
    if (sent) nodes.push(sent);
    nodes.push(
      h("h4", {}, t.headersHeading),
      h("dl", { class: "ims-headers" }, ...outcome.headers.flatMap(([name, value]) => [h("dt", {}, name), h("dd", {}, value)])),
      h("h4", {}, t.bodyHeading),
      h("pre", { class: "ims-code", tabindex: "0", "aria-label": t.bodyHeading }, outcome.json !== undefined ? JSON.stringify(outcome.json, null, 2) : outcome.text || t.emptyBody),
    );
    if (outcome.text && outcome.json === undefined) nodes.push(h("p", { class: "ims-hint" }, t.notJsonAnswer));
    return nodes;
  }

  /**
   * The documented link to follow from this answer to a job (`$response.body#/job_id`), taking the first link whose
   * operation's path can be filled: ShowJob when the project ID is known, else ShowJobProgress.
   */
  private followLink(operation: Operation, outcome: Extract<Outcome, { kind: "response" }>): HTMLButtonElement | undefined {
    const links = operation.links.get(String(outcome.status)) ?? [];
    for (const link of links) {
      const target = this.operations.find((candidate) => candidate.id === link.operationId);
      if (!target) continue;
      const values = this.linkValues(link, target, outcome.json);
      if (!values || !Object.values(link.parameters).some((expression) => expression.endsWith("#/job_id"))) continue;
      const button = h("button", { type: "button", class: "ims-primary" }, this.t.follow(target.id));
      button.addEventListener("click", () => void this.followJob(target, values));
      return button;
    }
    return undefined;
  }

  private linkValues(link: Link, target: Operation, body: unknown): Record<string, string> | undefined {
    const values: Record<string, string> = {};
    for (const parameter of target.parameters) {
      const expression = link.parameters[parameter.name];
      const value = expression ? evaluateExpression(expression, body) : parameter.name === "project_id" ? this.project.value.trim() : undefined;
      if (value) values[parameterKey(parameter)] = value;
      else if (parameter.required) return undefined;
    }
    return values;
  }

  /** Polls the job with the client's waiter, showing each read, until it ends; then opens the image. */
  private async followJob(target: Operation, values: Record<string, string>): Promise<void> {
    const { t } = this;
    this.following?.abort();
    const controller = new AbortController();
    this.following = controller;
    const log = h("ol", { class: "ims-polls" });
    const status = h("p", { class: "ims-status", role: "status" });
    const stop = h("button", { type: "button", class: "ims-secondary" }, t.stopFollowing);
    stop.addEventListener("click", () => controller.abort());
    this.job.hidden = false;
    this.job.replaceChildren(h("h3", {}, t.jobHeading), log, status, stop);
    const credentials = this.credentials();
    const server = this.server.value;

    const read = async (signal?: AbortSignal): Promise<Job> => {
      const prepared = await prepare({ server, operation: target, values, contentType: undefined, body: undefined, credentials }, t);
      if ("problems" in prepared) throw new Error(prepared.problems.map((problem) => problem.message).join(" "));
      const outcome = await send(prepared.request, REQUEST_TIMEOUT_MS, signal);
      if (outcome.kind === "aborted") throw new DOMException("aborted", "AbortError");
      if (outcome.kind !== "response") throw new ImsNetworkError(outcome.kind === "timeout" ? t.timedOut(outcome.ms / 1000) : outcome.message, { cause: outcome });
      const requestId = outcome.response.headers.get("X-Request-Id") ?? "";
      if (outcome.status >= 400) {
        const error = ImsError.fromResponse(outcome.response, outcome.json ?? outcome.text);
        log.append(h("li", {}, `${outcome.status} ${error.code} · ${requestId}`));
        throw error;
      }
      return outcome.json as Job;
    };
    const onProgress = (job: Job) => {
      const percent = typeof job.entities?.process_percent === "number" ? `${Math.round(job.entities.process_percent * 100)} %` : "";
      log.append(h("li", {}, t.jobPoll(job.status, percent, job.entities?.current_task ?? "")));
    };
    try {
      const result = await waitForJob(read, { maxWaitTime: FOLLOW_MAX_SECONDS, minDelay: 0.5, maxDelay: 5, signal: controller.signal, onProgress });
      stop.remove();
      if (result.state === "SUCCESS") {
        const ids = result.job ? imageIdsOf(result.job) : result.imageIds;
        status.textContent = t.jobSucceeded(ids.join(", "));
        status.classList.add("ims-good");
        if (ids[0]) {
          this.remembered.set("image_id", ids[0]);
          await this.openImage(ids[0]);
        }
      } else if (result.state === "FAILURE") {
        status.textContent = t.jobFailed(result.errorCode ?? "", result.failReason ?? "");
        status.classList.add("ims-bad");
      } else {
        status.textContent = result.state === "ABORTED" ? t.jobStopped : t.jobTimedOut;
      }
    } catch (error) {
      stop.remove();
      status.textContent = controller.signal.aborted ? t.jobStopped : t.jobError(error instanceof ImsError ? `${error.status} ${error.code}: ${error.message}` : (error as Error).message);
      status.classList.add("ims-bad");
    }
  }

  /** Shows the new image with the contract's image query (`GET /v2/cloudimages?id=`), when the contract has one. */
  private async openImage(imageId: string): Promise<void> {
    const { t } = this;
    const query = this.operations.find((operation) => operation.method === "GET" && operation.path === "/v2/cloudimages" && operation.parameters.some((p) => p.in === "query" && p.name === "id"));
    const section = h("div", { class: "ims-image" }, h("h4", {}, t.imageHeading));
    this.job.append(section);
    if (!query) {
      section.append(h("p", {}, t.imageNoOperation));
      return;
    }
    const values: Record<string, string> = {};
    for (const parameter of query.parameters) {
      if (parameter.in === "query" && parameter.name === "id") values[parameterKey(parameter)] = imageId;
      else if (parameter.name === "project_id" && this.project.value.trim()) values[parameterKey(parameter)] = this.project.value.trim();
    }
    const prepared = await prepare({ server: this.server.value, operation: query, values, contentType: undefined, body: undefined, credentials: this.credentials() }, t);
    if ("problems" in prepared) {
      section.append(h("p", { class: "ims-bad" }, prepared.problems.map((problem) => problem.message).join(" ")));
      return;
    }
    const outcome = await send(prepared.request, REQUEST_TIMEOUT_MS);
    section.append(h("p", {}, t.imageOpened(`${query.method} ${new URL(prepared.request.url).pathname}${new URL(prepared.request.url).search}`)), ...this.renderOutcome(outcome, undefined));
  }

  /** The server field's value, for tests and the page's own checks. */
  get serverUrl(): string {
    return serverBase(this.server.value)?.href ?? "";
  }
}
