// TypeScript, with this project's client (client/index.ts); Redoc files it under Node.js.
const image = await ims.showImage(imageId); // GET /v2/images/{image_id}; ImsError with status 404 when gone
console.log(image.status, image.__data_origin);
