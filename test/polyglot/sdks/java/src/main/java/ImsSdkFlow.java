// Huawei's Java SDK (huaweicloud-sdk-ims, v2) run against ims-stub, as its users call it: AK/SK credentials, a
// custom endpoint, the SDK's own request models, exceptions and retry. Each step prints one JSON line; the first
// failed expectation ends the program with exit status 1 and its reason on stderr.
//
// The newest huaweicloud-sdk-ims on Maven Central (3.1.143) has no CreateImageInSafeMode (v2.1): the Go and
// Python SDKs cover that path.

import com.fasterxml.jackson.databind.ObjectMapper;
import com.huaweicloud.sdk.core.auth.BasicCredentials;
import com.huaweicloud.sdk.core.exception.ServiceResponseException;
import com.huaweicloud.sdk.core.retry.RetryContext;
import com.huaweicloud.sdk.core.retry.backoff.BackoffStrategy;
import com.huaweicloud.sdk.ims.v2.ImsClient;
import com.huaweicloud.sdk.ims.v2.model.BatchAddOrDeleteTagsRequest;
import com.huaweicloud.sdk.ims.v2.model.BatchAddOrDeleteTagsRequestBody;
import com.huaweicloud.sdk.ims.v2.model.CreateDataImage;
import com.huaweicloud.sdk.ims.v2.model.CreateImageRequest;
import com.huaweicloud.sdk.ims.v2.model.CreateImageRequestBody;
import com.huaweicloud.sdk.ims.v2.model.GlanceDeleteImageRequest;
import com.huaweicloud.sdk.ims.v2.model.GlanceDeleteImageRequestBody;
import com.huaweicloud.sdk.ims.v2.model.GlanceShowImageRequest;
import com.huaweicloud.sdk.ims.v2.model.GlanceShowImageResponse;
import com.huaweicloud.sdk.ims.v2.model.ImageInfo;
import com.huaweicloud.sdk.ims.v2.model.ListImageTagsRequest;
import com.huaweicloud.sdk.ims.v2.model.ListImagesRequest;
import com.huaweicloud.sdk.ims.v2.model.QuotaInfo;
import com.huaweicloud.sdk.ims.v2.model.ResourceTag;
import com.huaweicloud.sdk.ims.v2.model.ShowImageQuotaRequest;
import com.huaweicloud.sdk.ims.v2.model.ShowJobRequest;
import com.huaweicloud.sdk.ims.v2.model.ShowJobResponse;
import com.huaweicloud.sdk.ims.v2.model.SubJobResult;
import com.huaweicloud.sdk.ims.v2.model.TagKeyValue;
import com.huaweicloud.sdk.ims.v2.model.UpdateImageRequest;
import com.huaweicloud.sdk.ims.v2.model.UpdateImageRequestBody;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

public final class ImsSdkFlow {
    private static final String SERVER_ID = "877a2cda-ba63-4e1e-b95f-e67e48b6129a";
    private static final String VOLUME_ID = "c5dfbd0c-bf0a-4798-a453-61dc6b54aa30";
    private static final ObjectMapper JSON = new ObjectMapper();

    static final class Failure extends RuntimeException {
        Failure(String message) {
            super(message);
        }
    }

    public static void main(String[] args) {
        try {
            ImsClient client = ImsClient.newBuilder()
                    .withCredential(new BasicCredentials().withAk(env("IMS_AK")).withSk(env("IMS_SK")).withProjectId(env("IMS_PROJECT_ID")))
                    .withEndpoints(List.of(env("IMS_ENDPOINT")))
                    .build();
            String scenario = System.getenv("IMS_SCENARIO");
            if ("lifecycle".equals(scenario)) {
                lifecycle(client);
            } else if ("throttle".equals(scenario)) {
                throttle(client);
            } else {
                throw new Failure("IMS_SCENARIO must be lifecycle or throttle, not " + scenario);
            }
        } catch (Failure failure) {
            System.err.println(failure.getMessage());
            System.exit(1);
        } catch (ServiceResponseException error) {
            System.err.printf("unexpected %d %s: %s (request %s)%n", error.getHttpStatusCode(), error.getErrorCode(), error.getErrorMsg(), error.getRequestId());
            System.exit(1);
        }
        System.exit(0);
    }

    private static Map<String, Supplier<CreateImageRequestBody>> createCases() {
        Map<String, Supplier<CreateImageRequestBody>> cases = new LinkedHashMap<>();
        cases.put("server-system", () -> new CreateImageRequestBody().withName("sdk-java-server").withInstanceId(SERVER_ID)
                .withDescription("made by the Java SDK").withImageTags(List.of(new TagKeyValue().withKey("made-by").withValue("java-sdk"))));
        cases.put("server-data", () -> new CreateImageRequestBody()
                .withDataImages(List.of(new CreateDataImage().withName("sdk-java-data").withVolumeId(VOLUME_ID))));
        cases.put("file", () -> new CreateImageRequestBody().withName("sdk-java-file").withImageUrl("ims-image:centos70.qcow2").withMinDisk(40));
        cases.put("volume", () -> new CreateImageRequestBody().withName("sdk-java-volume").withVolumeId(VOLUME_ID).withOsVersion("CentOS 7.0 64bit"));
        return cases;
    }

    private static void lifecycle(ImsClient client) throws Failure {
        List<String> imageIds = new ArrayList<>();
        for (Map.Entry<String, Supplier<CreateImageRequestBody>> entry : createCases().entrySet()) {
            String jobId = client.createImage(new CreateImageRequest().withBody(entry.getValue().get())).getJobId();
            ShowJobResponse job = waitForJob(client, jobId);
            List<String> ids = jobImageIds(job);
            if (ids.isEmpty()) {
                throw new Failure("ShowJob: job " + jobId + " ended SUCCESS without an image ID: " + job);
            }
            emit(Map.of("step", "create", "kind", entry.getKey(), "safe_mode", false, "job_id", jobId, "image_ids", ids));
            imageIds.addAll(ids);
        }

        String first = imageIds.get(0);
        List<ImageInfo> listed = client.listImages(new ListImagesRequest().withName("sdk-java-server").withLimit(100)).getImages();
        if (listed.size() != 1 || !"sdk-java-server".equals(listed.get(0).getName())) {
            throw new Failure("ListImages: name=sdk-java-server listed " + listed.size() + " images");
        }
        emit(Map.of("step", "list", "found", listed.size()));

        GlanceShowImageResponse shown = client.glanceShowImage(new GlanceShowImageRequest().withImageId(first));
        if (!first.equals(shown.getId()) || !"active".equals(String.valueOf(shown.getStatus()))) {
            throw new Failure("GlanceShowImage: got " + shown.getId() + " " + shown.getStatus() + ", want " + first + " active");
        }
        emit(Map.of("step", "show", "id", shown.getId(), "name", shown.getName(), "status", String.valueOf(shown.getStatus())));

        String renamed = client.updateImage(new UpdateImageRequest().withImageId(first).withBody(List.of(
                new UpdateImageRequestBody().withOp(UpdateImageRequestBody.OpEnum.REPLACE).withPath("/name").withValue("sdk-java-renamed")))).getName();
        if (!"sdk-java-renamed".equals(renamed)) {
            throw new Failure("UpdateImage: name " + renamed);
        }
        emit(Map.of("step", "update", "name", renamed));

        client.batchAddOrDeleteTags(new BatchAddOrDeleteTagsRequest().withImageId(first).withBody(new BatchAddOrDeleteTagsRequestBody()
                .withAction(BatchAddOrDeleteTagsRequestBody.ActionEnum.CREATE).withTags(List.of(new ResourceTag().withKey("stage").withValue("test")))));
        List<ResourceTag> tags = client.listImageTags(new ListImageTagsRequest().withImageId(first)).getTags();
        if (tags.stream().noneMatch(tag -> "stage".equals(tag.getKey()) && "test".equals(tag.getValue()))) {
            throw new Failure("ListImageTags: no stage=test among " + tags);
        }
        client.batchAddOrDeleteTags(new BatchAddOrDeleteTagsRequest().withImageId(first).withBody(new BatchAddOrDeleteTagsRequestBody()
                .withAction(BatchAddOrDeleteTagsRequestBody.ActionEnum.DELETE).withTags(List.of(new ResourceTag().withKey("stage")))));
        tags = client.listImageTags(new ListImageTagsRequest().withImageId(first)).getTags();
        if (tags.stream().anyMatch(tag -> "stage".equals(tag.getKey()))) {
            throw new Failure("ListImageTags: stage still there after delete: " + tags);
        }
        List<Map<String, String>> remaining = new ArrayList<>();
        tags.forEach(tag -> remaining.add(Map.of("key", tag.getKey(), "value", tag.getValue())));
        emit(Map.of("step", "tags", "after_delete", remaining));

        Integer used = null;
        for (QuotaInfo resource : client.showImageQuota(new ShowImageQuotaRequest()).getQuotas().getResources()) {
            if ("image".equals(resource.getType())) {
                used = resource.getUsed();
            }
        }
        if (used == null || used != imageIds.size()) {
            throw new Failure("ShowImageQuota: image used " + used + ", want " + imageIds.size());
        }
        emit(Map.of("step", "quota", "used", used));

        for (String id : imageIds) {
            client.glanceDeleteImage(new GlanceDeleteImageRequest().withImageId(id).withBody(new GlanceDeleteImageRequestBody()));
        }
        ServiceResponseException gone = expectServiceError("GlanceShowImage after delete",
                () -> client.glanceShowImage(new GlanceShowImageRequest().withImageId(first)));
        if (gone.getHttpStatusCode() != 404) {
            throw new Failure("GlanceShowImage after delete: status " + gone.getHttpStatusCode() + ", want 404");
        }
        emit(Map.of("step", "deleted", "count", imageIds.size(), "then_status", gone.getHttpStatusCode(), "then_code", String.valueOf(gone.getErrorCode())));

        // A file image's min_disk is 40 to 1024: the SDK sends it as it is, and IMS refuses it.
        ServiceResponseException refusal = expectServiceError("CreateImage refused", () -> client.createImage(new CreateImageRequest().withBody(
                new CreateImageRequestBody().withName("sdk-java-refused").withImageUrl("ims-image:centos70.qcow2").withMinDisk(1))));
        if (refusal.getHttpStatusCode() != 400 || refusal.getErrorCode() == null || !refusal.getErrorCode().startsWith("IMG.")) {
            throw new Failure("refusal: status " + refusal.getHttpStatusCode() + " code " + refusal.getErrorCode() + ", want 400 IMG.*");
        }
        emit(Map.of("step", "refused", "status", refusal.getHttpStatusCode(), "code", refusal.getErrorCode(),
                "message", refusal.getErrorMsg(), "request_id", String.valueOf(refusal.getRequestId())));
    }

    /** The stub counts requests in one-second windows (APIG.0308's guidance: wait seconds). */
    private static final BackoffStrategy SECONDS_BACKOFF = new BackoffStrategy() {
        @Override
        public <S> long computeDelayBeforeNextRetry(RetryContext<S> context) {
            return 400L << Math.min(context.getRetriesAttempted() + 1, 5);
        }
    };

    private static void throttle(ImsClient client) {
        int[] attempts = {0};
        List<String> throttled = new ArrayList<>();
        for (int call = 0; call < 3; call++) {
            client.listImagesInvoker(new ListImagesRequest().withLimit(1)).withRetry(5, (response, error) -> {
                attempts[0]++;
                if (error instanceof ServiceResponseException && ((ServiceResponseException) error).getHttpStatusCode() == 429) {
                    throttled.add(((ServiceResponseException) error).getErrorCode());
                    return true;
                }
                return false;
            }, SECONDS_BACKOFF).invoke();
        }
        if (throttled.isEmpty()) {
            throw new Failure("throttle: " + attempts[0] + " attempts and none was throttled: is the stub's rate limit on?");
        }
        emit(Map.of("step", "throttle", "calls", 3, "attempts", attempts[0], "throttled_codes", throttled));
    }

    private static ShowJobResponse waitForJob(ImsClient client, String jobId) {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (System.nanoTime() < deadline) {
            ShowJobResponse job = client.showJob(new ShowJobRequest().withJobId(jobId));
            String status = String.valueOf(job.getStatus());
            if ("SUCCESS".equals(status)) {
                return job;
            }
            if ("FAIL".equals(status)) {
                throw new Failure("ShowJob: job " + jobId + " failed: " + job.getErrorCode() + " " + job.getFailReason());
            }
            sleep(200);
        }
        throw new Failure("ShowJob: job " + jobId + " did not end within 60 s");
    }

    /** entities.image_id for one image, or each sub-job's for data disk images made from a server. */
    private static List<String> jobImageIds(ShowJobResponse job) {
        List<String> ids = new ArrayList<>();
        if (job.getEntities() == null) {
            return ids;
        }
        if (job.getEntities().getImageId() != null && !job.getEntities().getImageId().isEmpty()) {
            ids.add(job.getEntities().getImageId());
            return ids;
        }
        if (job.getEntities().getSubJobsResult() != null) {
            for (SubJobResult sub : job.getEntities().getSubJobsResult()) {
                if (sub.getEntities() != null && sub.getEntities().getImageId() != null) {
                    ids.add(sub.getEntities().getImageId());
                }
            }
        }
        return ids;
    }

    private static ServiceResponseException expectServiceError(String step, Runnable call) {
        try {
            call.run();
        } catch (ServiceResponseException error) {
            return error;
        }
        throw new Failure(step + ": the call succeeded, an error was expected");
    }

    private static void emit(Map<String, ?> line) {
        try {
            System.out.println(JSON.writeValueAsString(new java.util.TreeMap<>(line)));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new Failure("emit: " + e.getMessage());
        }
    }

    private static String env(String name) {
        String value = System.getenv(name);
        if (value == null || value.isEmpty()) {
            throw new Failure("environment: " + name + " is not set");
        }
        return value;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Failure("interrupted");
        }
    }
}
