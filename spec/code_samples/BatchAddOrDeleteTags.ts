// TypeScript, with this project's client (client/index.ts); Redoc files it under Node.js.
await ims.changeImageTags(imageId, "create", [{ key: "key1", value: "value1" }]);
await ims.changeImageTags(imageId, "delete", [{ key: "key1", value: "value1" }]);
