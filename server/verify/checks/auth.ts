// No credentials, no answer: every operation refuses a request without credentials (and, with AK/SK, one signed
// with another secret key) with the gateway's 401, before it reads or changes anything (Schemathesis's
// `ignored_auth`): also one signed by an access key no IAM issued, which a provider that takes any
// Authorization header as proof would answer. Creates nothing at an honest provider; a create a lax one accepts is cleaned up.
import type { Run } from "../run.js";
import { sampleRequests, unknownImageId, unknownJobId } from "./samples.js";

const RULE = "every IMS operation needs an X-Auth-Token or an AK/SK signature: without one the API gateway answers 401";

export async function checkAuthentication(run: Run): Promise<void> {
  const samples = sampleRequests(run, { imageId: unknownImageId(), jobId: unknownJobId() });
  const modes = run.provider.usesAksk ? (["none", "forged", "wrong"] as const) : (["none", "forged"] as const);
  const says = { none: "refused without credentials", forged: "refused when signed by an access key no IAM issued", wrong: "refused when signed with a wrong secret key" };
  await Promise.all(
    samples.flatMap((sample) =>
      modes.map((auth) =>
        run.expect(
          "auth",
          says[auth],
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
