// TypeScript, with this project's client (client/index.ts); Redoc files it under Node.js.
await ims.deleteImage(imageId); // DELETE /v2/images/{image_id}
await ims.waitForImageDeleted(imageId, { maxWaitTime: 600 }); // until ?id= answers an empty list
