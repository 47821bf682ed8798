// Prism's `Prefer: code=NNN` and `example=NAME`: a documented response, with its named example, instead of the
// real one. The examples are read from the contract, so a new operation's examples can be asked for at once.
import { ImsError } from "../ims/errors.js";
import { documentedResponses, resolveRef, type OpenApiDocument, type ResponseObject } from "./spec.js";

/** A documented response's examples by name, with the headers its header examples give (`Retry-After: 1`). */
type NamedExamples = Map<string, unknown> & { headers: Record<string, string> };

/** operationId → status → example name → value. */
export type ResponseExamples = Map<string, Map<number, NamedExamples>>;

type HeaderObject = { $ref?: string; example?: unknown };

export function responseExamples(spec: OpenApiDocument): ResponseExamples {
  const headersOf = (response: ResponseObject & { headers?: Record<string, HeaderObject> }) =>
    Object.fromEntries(
      Object.entries(response.headers ?? {})
        .map(([name, header]) => [name, header.$ref ? resolveRef<HeaderObject>(spec, header.$ref) : header] as const)
        .filter(([, header]) => header.example !== undefined)
        .map(([name, header]) => [name, String(header.example)]),
    );
  const examplesOf = (response: ResponseObject): NamedExamples =>
    Object.assign(
      new Map(
        Object.values(response.content ?? {})
          .flatMap((media) => Object.entries(media.examples ?? {}))
          .map(([name, example]) => [name, example.$ref ? resolveRef<{ value: unknown }>(spec, example.$ref).value : example.value]),
      ),
      { headers: headersOf(response) },
    );
  return new Map([...documentedResponses(spec)].map(([operationId, byStatus]) => [operationId, new Map([...byStatus].map(([status, response]) => [status, examplesOf(response)]))]));
}

/** The canned answer the preferences ask for, or undefined when they ask for none. */
export function cannedResponse(
  examples: ResponseExamples,
  operationId: string,
  preferences: ReadonlyMap<string, string>,
): { status: number; body: unknown; headers?: Record<string, string> } | undefined {
  const code = preferences.get("code");
  const exampleName = preferences.get("example");
  if (code === undefined && exampleName === undefined) return undefined;
  const byStatus = examples.get(operationId)!;
  const status = code === undefined ? Math.min(...[...byStatus.keys()].filter((s) => s < 300)) : Number(code);
  const named = byStatus.get(status);
  if (!named) {
    throw new ImsError("IMG.0001", `Prefer: code=${code} is not a documented response of ${operationId} (documented: ${[...byStatus.keys()].join(", ")}).`);
  }
  const headers = Object.keys(named.headers).length > 0 ? { headers: named.headers } : {};
  if (named.size === 0 && exampleName === undefined) return { status, body: undefined, ...headers };
  const name = exampleName ?? named.keys().next().value;
  if (name === undefined || !named.has(name)) {
    throw new ImsError("IMG.0001", `Prefer: ${operationId} ${status} has no example ${JSON.stringify(exampleName)} (examples: ${[...named.keys()].join(", ") || "none"}).`);
  }
  return { status, body: named.get(name), ...headers };
}
