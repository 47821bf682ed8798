// TypeScript, with this project's client (client/index.ts); Redoc files it under Node.js.
import { createImsClient } from "ims-create-image-contract/client";

const ims = createImsClient({
  endpoint: "http://127.0.0.1:8080",
  auth: { token: process.env.TOKEN! }, // or { ak, sk, projectId } for AK/SK signing
});

const { job_id } = await ims.createImage(
  { name: "ims_test", instance_id: "877a2cda-ba63-4e1e-b95f-e67e48b6129a", tags: ["aaa.111"] },
  { safeMode: true }, // POST /v2.1/cloudimages/action
);
const result = await ims.waitForJob(job_id, { maxWaitTime: 600 });
if (result.state === "SUCCESS") console.log(result.imageIds);
