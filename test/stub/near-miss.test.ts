// The unknown fields of a body, found from the contract's own closed schemas (server/near-miss.ts): generic, so
// that every body the contract gains later gets the same refusals without a list kept by hand.
import { describe, expect, it } from "vitest";
import { describeUnknownFields, localRefs, refusalWithUnknownFields, unknownBodyFields, unknownFields } from "../../server/contract/near-miss.ts";
import { loadSpec } from "../../server/contract/spec.ts";
import { SERVER_ID, VOLUME_ID } from "../helpers/bodies.ts";

const spec = loadSpec();
const resolve = localRefs(spec);
const requestBody = spec.components.schemas.CreateImageRequestBody;

describe("unknownFields over CreateImage's oneOf of bodies", () => {
  it.each<[string, Record<string, unknown>, { path: string; name: string; suggestion?: string }[]]>([
    ["the body it most resembles says what instanceId meant", { name: "x", instanceId: SERVER_ID }, [{ path: "instanceId", name: "instanceId", suggestion: "instance_id" }]],
    ["and volumeId", { name: "x", volumeId: VOLUME_ID, os_version: "CentOS 7.0 64bit" }, [{ path: "volumeId", name: "volumeId", suggestion: "volume_id" }]],
    [
      "a body valid at the top with a misspelt data disk field: only that field",
      { name: "x", image_url: "bkt:f", min_disk: 40, data_images: [{ imageUrl: "bkt:d", min_disk: 1 }] },
      [{ path: "data_images[0].imageUrl", name: "imageUrl", suggestion: "image_url" }],
    ],
    ["a server's data disks", { name: "x", data_images: [{ name: "d", volumeId: VOLUME_ID }] }, [{ path: "data_images[0].volumeId", name: "volumeId", suggestion: "volume_id" }]],
    ["a valid body has none", { name: "x", instance_id: SERVER_ID, tags: ["a.b"] }, []],
    ["a field the object has is never the suggestion", { name: "x", instance_id: SERVER_ID, instanceId: SERVER_ID }, [{ path: "instanceId", name: "instanceId" }]],
  ])("%s", (_label, body, expected) => {
    expect(unknownFields(requestBody, body, resolve)).toEqual(expected);
  });

  it("reads a schema written for the test as it reads the contract: allOf, anyOf, $ref, nested arrays", () => {
    const document = {
      components: {
        schemas: {
          Tag: { type: "object", additionalProperties: false, properties: { key: {}, value: {} } },
          Body: {
            allOf: [{ type: "object", properties: { kind: {} } }],
            anyOf: [
              { type: "object", additionalProperties: false, properties: { kind: {}, tags: { type: "array", items: { $ref: "#/components/schemas/Tag" } } } },
              { type: "object", additionalProperties: false, properties: { kind: {}, labels: {} } },
            ],
          },
        },
      },
    };
    const found = unknownFields(document.components.schemas.Body, { kind: "a", tags: [{ key: "k", valeu: "v" }], label: "l" }, localRefs(document));
    expect(found).toEqual([
      { path: "tags[0].valeu", name: "valeu", suggestion: "value" },
      { path: "label", name: "label" },
    ]);
  });
});

describe("the words", () => {
  it("one field, several fields", () => {
    expect(describeUnknownFields([{ path: "instanceId", name: "instanceId", suggestion: "instance_id" }])).toBe("instanceId is not a field of this body: did you mean instance_id?");
    expect(describeUnknownFields([{ path: "a", name: "a" }, { path: "b", name: "b", suggestion: "bb" }, { path: "c", name: "c" }], "a world")).toBe(
      "a, b (did you mean bb?) and c are not fields of a world.",
    );
    expect(describeUnknownFields([])).toBeUndefined();
  });

  it("a generic refusal keeps the validator's first error unless it is one of the unknown fields", () => {
    const unknown = [{ path: "items[0].naem", name: "naem", suggestion: "name" }];
    expect(refusalWithUnknownFields("/body/items/0/naem", "items.0.naem must NOT have additional properties.", unknown)).toBe("items[0].naem is not a field of this body: did you mean name?");
    expect(refusalWithUnknownFields("/body/size", "size must be integer.", unknown)).toBe("size must be integer. items[0].naem is not a field of this body: did you mean name?");
    expect(refusalWithUnknownFields("/body/size", "size must be integer.", [])).toBe("size must be integer.");
  });
});

describe("unknownBodyFields finds each operation's request body in the documents", () => {
  const find = unknownBodyFields([spec, loadSpec("control-openapi")]);
  it("CreateImage, the control API, and an operation without a body", () => {
    expect(find("CreateImage", { name: "x", instanceId: SERVER_ID })).toEqual([{ path: "instanceId", name: "instanceId", suggestion: "instance_id" }]);
    expect(find("AddOutcomeRule", { times: 1, durationMs: 5 })).toEqual([{ path: "durationMs", name: "durationMs", suggestion: "duration_ms" }]);
    expect(find("ShowJob", { anything: 1 })).toEqual([]);
    expect(find(undefined, { anything: 1 })).toEqual([]);
  });
});
