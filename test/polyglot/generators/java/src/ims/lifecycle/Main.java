// The lifecycle of three images through the client openapi-generator's `java` generator (okhttp-gson) makes from the
// contract, against the stub at IMS_ENDPOINT: create (from a server, a file, a volume), wait for the job, read,
// update, tag and delete each image, and read the IMS error code of a refused create. Prints one RESULT line of
// JSON; any mismatch exits 1.
package ims.lifecycle;

import ims.api.ImageTagsApi;
import ims.api.ImagesApi;
import ims.api.JobsApi;
import ims.client.ApiClient;
import ims.client.ApiException;
import ims.model.BatchImageTag;
import ims.model.BatchImageTagsRequest;
import ims.model.CreateImageFromFile;
import ims.model.CreateImageFromServer;
import ims.model.CreateImageRequestBody;
import ims.model.CreateSystemImageFromServer;
import ims.model.CreateSystemImageFromVolume;
import ims.model.ErrorBody;
import ims.model.Image;
import ims.model.ImageList;
import ims.model.ImagePatchValue;
import ims.model.ImageStatus;
import ims.model.ImageTag;
import ims.model.Job;
import ims.model.JobFailed;
import ims.model.JobInProgress;
import ims.model.JobSucceeded;
import ims.model.UpdateImageOperation;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

public final class Main {
  private static final UUID SERVER_ID = UUID.fromString("877a2cda-ba63-4e1e-b95f-e67e48b6129a");
  private static final UUID VOLUME_ID = UUID.fromString("c5dfbd0c-bf0a-4798-a453-61dc6b54aa30");

  private Main() {}

  private static void fail(String message) {
    System.err.println("FAIL: " + message);
    System.exit(1);
  }

  private static ImageList listById(ImagesApi images, String id) throws ApiException {
    // ListImages has 22 optional query parameters; only `id` is set.
    return images.listImages(id, null, null, null, null, null, null, null, null, null, null, null, null, null, null,
        null, null, null, null, null, null, null);
  }

  /** The job waiter, written by hand: the generator knows nothing of the job's states. */
  private static String[] waitForImage(JobsApi jobs, String projectId, String jobId) throws ApiException, InterruptedException {
    long deadline = System.nanoTime() + 30_000_000_000L;
    long delay = 10;
    while (System.nanoTime() < deadline) {
      Job job = jobs.showJob(projectId, jobId);
      Object actual = job.getActualInstance();
      if (actual instanceof JobSucceeded succeeded) {
        if (succeeded.getEntities().getImageId() == null) fail("a SUCCESS job without entities.image_id: " + succeeded.toJson());
        return new String[] {succeeded.getEntities().getImageId(), succeeded.getJobType()};
      }
      if (actual instanceof JobFailed failed) fail("job " + jobId + " failed: " + failed.getErrorCode() + " " + failed.getFailReason());
      if (!(actual instanceof JobInProgress)) fail("ShowJob " + jobId + " answered " + actual);
      Thread.sleep(delay);
      delay = Math.min(delay * 2, 1000);
    }
    fail("job " + jobId + " did not end in 30 s");
    return new String[0];
  }

  public static void main(String[] args) throws ApiException, InterruptedException, IOException {
    String projectId = System.getenv("IMS_PROJECT_ID");
    ApiClient client = new ApiClient();
    client.setBasePath(System.getenv("IMS_ENDPOINT"));
    client.setApiKey(System.getenv("IMS_TOKEN"));
    ImagesApi images = new ImagesApi(client);
    JobsApi jobs = new JobsApi(client);
    ImageTagsApi tagsApi = new ImageTagsApi(client);

    Map<String, CreateImageRequestBody> bodies = new LinkedHashMap<>();
    bodies.put("server", new CreateImageRequestBody(new CreateImageFromServer(
        new CreateSystemImageFromServer().name("java-oag-server").instanceId(SERVER_ID))));
    bodies.put("file", new CreateImageRequestBody(
        new CreateImageFromFile().name("java-oag-file").imageUrl("ims-image:centos70.qcow2").minDisk(40)));
    bodies.put("volume", new CreateImageRequestBody(
        new CreateSystemImageFromVolume().name("java-oag-volume").volumeId(VOLUME_ID).osVersion("CentOS 7.0 64bit")));

    Map<String, String> jobTypes = new LinkedHashMap<>();
    for (Map.Entry<String, CreateImageRequestBody> body : bodies.entrySet()) {
      String jobId = images.createImage(body.getValue()).getJobId();
      String[] made = waitForImage(jobs, projectId, jobId);
      String imageId = made[0];
      jobTypes.put(body.getKey(), made[1]);

      ImageList listed = listById(images, imageId);
      if (listed.getImages().size() != 1 || listed.getImages().get(0).getStatus() != ImageStatus.ACTIVE) fail("ListImages ?id=" + imageId + ": " + listed.toJson());
      Image shown = images.glanceShowImage(imageId);
      if (!shown.getId().toString().equals(imageId)) fail("GlanceShowImage " + imageId + ": " + shown.toJson());

      String renamed = shown.getName() + "-renamed";
      UpdateImageOperation rename = new UpdateImageOperation().op(UpdateImageOperation.OpEnum.REPLACE).path("/name").value(new ImagePatchValue(renamed));
      Image updated = images.updateImage(imageId, List.of(rename));
      if (!renamed.equals(updated.getName())) fail("UpdateImage " + imageId + ": " + updated.toJson());

      BatchImageTagsRequest tags = new BatchImageTagsRequest().action(BatchImageTagsRequest.ActionEnum.CREATE)
          .tags(List.of(new BatchImageTag().key("generator").value("openapi-generator-java")));
      int tagged = tagsApi.batchAddOrDeleteTagsWithHttpInfo(projectId, imageId, tags).getStatusCode();
      if (tagged != 204) fail("BatchAddOrDeleteTags " + imageId + " answered " + tagged);
      List<ImageTag> readTags = tagsApi.listImageTags(projectId, imageId).getTags();
      if (readTags.size() != 1 || !readTags.get(0).getKey().equals("generator")) fail("ListImageTags " + imageId + ": " + readTags);

      int deleted = images.glanceDeleteImageWithHttpInfo(imageId, null).getStatusCode();
      if (deleted != 204) fail("GlanceDeleteImage " + imageId + " answered " + deleted);
      if (!listById(images, imageId).getImages().isEmpty()) fail("image " + imageId + " still listed after delete");
    }

    // min_ram above max_ram: a rule beyond the schema, so only the service can refuse it.
    CreateImageRequestBody refused = new CreateImageRequestBody(new CreateImageFromServer(
        new CreateSystemImageFromServer().name("java-oag-refused").instanceId(SERVER_ID).minRam(2048).maxRam(1024)));
    try {
      images.createImage(refused);
      fail("the refused create was accepted");
    } catch (ApiException error) {
      // The generated client hands over the error's body as text; the IMS error is read from it with its own model.
      ErrorBody body = ErrorBody.fromJson(error.getResponseBody());
      Map<String, Object> refusal = new LinkedHashMap<>();
      refusal.put("status", error.getCode());
      refusal.put("code", body.getError().getCode());
      refusal.put("message", body.getError().getMessage());
      Map<String, Object> result = new LinkedHashMap<>();
      result.put("jobTypes", jobTypes);
      result.put("refused", refusal);
      System.out.println("RESULT " + new com.google.gson.Gson().toJson(result));
    }
  }
}
