// No credentials, no answer: every operation refuses a request without credentials (and, with AK/SK, one signed
// with another secret key) with the gateway's 401, before it reads or changes anything (Schemathesis's
// `ignored_auth`). Creates nothing at an honest provider; a create a lax one accepts is cleaned up.
import type { Run } from "../run.js";
import { sampleRequests, unknownImageId, unknownJobId } from "./samples.js";

const RULE = "every IMS operation needs an X-Auth-Token or an AK/SK signature: without one the API gateway answers 401";

export async function checkAuthentication(run: Run): Promise<void> {
  const samples = sampleRequests(run, { imageId: unknownImageId(), jobId: unknownJobId() });
  const modes = run.provider.usesAksk ? (["none", "wrong"] as const) : (["none"] as const);
  await Promise.all(
    samples.flatMap((sample) =>
      modes.map((auth) =>
        run.expect(
          "auth",
          auth === "none" ? "refused without credentials" : "refused when signed with a wrong secret key",
          RULE,
          sample.method,
          sample.target,
          { body: sample.body, ...(sample.contentType && { contentType: sample.contentType }), auth },
          { status: 401 },
        ),
      ),
    ),
  );
}
