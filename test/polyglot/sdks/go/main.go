// Huawei's Go SDK (huaweicloud-sdk-go-v3, services/ims/v2) run against ims-stub, as its users call it: AK/SK
// credentials, a custom endpoint, the SDK's own request models, errors and retry. Each step prints one JSON line;
// the first failed expectation ends the program with exit status 1 and its reason on stderr.
package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/auth/basic"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/invoker/retry"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/sdkerr"
	ims "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/ims/v2"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/services/ims/v2/model"
)

const (
	serverID = "877a2cda-ba63-4e1e-b95f-e67e48b6129a"
	volumeID = "c5dfbd0c-bf0a-4798-a453-61dc6b54aa30"
)

func main() {
	client, err := newClient()
	if err != nil {
		fail("client", err)
	}
	switch scenario := os.Getenv("IMS_SCENARIO"); scenario {
	case "lifecycle":
		lifecycle(client)
	case "throttle":
		throttle(client)
	default:
		fail("scenario", fmt.Errorf("IMS_SCENARIO must be lifecycle or throttle, not %q", scenario))
	}
}

func newClient() (*ims.ImsClient, error) {
	credentials, err := basic.NewCredentialsBuilder().
		WithAk(mustEnv("IMS_AK")).
		WithSk(mustEnv("IMS_SK")).
		WithProjectId(mustEnv("IMS_PROJECT_ID")).
		SafeBuild()
	if err != nil {
		return nil, err
	}
	hcClient, err := ims.ImsClientBuilder().
		WithEndpoints([]string{mustEnv("IMS_ENDPOINT")}).
		WithCredential(credentials).
		SafeBuild()
	if err != nil {
		return nil, err
	}
	return ims.NewImsClient(hcClient), nil
}

type createCase struct {
	kind string
	body model.CreateImageRequestBody
}

func createCases() []createCase {
	return []createCase{
		{"server-system", model.CreateImageRequestBody{Name: ptr("sdk-go-server"), InstanceId: ptr(serverID),
			Description: ptr("made by the Go SDK"), ImageTags: &[]model.TagKeyValue{{Key: "made-by", Value: "go-sdk"}}}},
		{"server-data", model.CreateImageRequestBody{DataImages: &[]model.CreateDataImage{{Name: "sdk-go-data", VolumeId: volumeID}}}},
		{"file", model.CreateImageRequestBody{Name: ptr("sdk-go-file"), ImageUrl: ptr("ims-image:centos70.qcow2"), MinDisk: ptr(int32(40))}},
		{"volume", model.CreateImageRequestBody{Name: ptr("sdk-go-volume"), VolumeId: ptr(volumeID), OsVersion: ptr("CentOS 7.0 64bit")}},
	}
}

func lifecycle(client *ims.ImsClient) {
	var imageIDs []string
	for _, c := range createCases() {
		for _, safeMode := range []bool{false, true} {
			body := c.body
			var jobID string
			if safeMode {
				response, err := client.CreateImageInSafeMode(&model.CreateImageInSafeModeRequest{Body: &body})
				check("CreateImageInSafeMode "+c.kind, err)
				jobID = deref(response.JobId)
			} else {
				response, err := client.CreateImage(&model.CreateImageRequest{Body: &body})
				check("CreateImage "+c.kind, err)
				jobID = deref(response.JobId)
			}
			job := waitForJob(client, jobID)
			ids := jobImageIDs(job)
			if len(ids) == 0 {
				fail("ShowJob", fmt.Errorf("job %s ended SUCCESS without an image ID: %s", jobID, toJSON(job)))
			}
			emit(map[string]any{"step": "create", "kind": c.kind, "safe_mode": safeMode, "job_id": jobID, "image_ids": ids})
			imageIDs = append(imageIDs, ids...)
		}
	}

	first := imageIDs[0]
	listed, err := client.ListImages(&model.ListImagesRequest{Name: ptr("sdk-go-server"), Limit: ptr(int32(100))})
	check("ListImages", err)
	found := 0
	for _, image := range *listed.Images {
		if image.Name != "sdk-go-server" {
			fail("ListImages", fmt.Errorf("name=sdk-go-server listed %q", image.Name))
		}
		found++
	}
	if found != 2 {
		fail("ListImages", fmt.Errorf("name=sdk-go-server listed %d images, want 2 (v2 and v2.1)", found))
	}
	emit(map[string]any{"step": "list", "found": found})

	shown, err := client.GlanceShowImage(&model.GlanceShowImageRequest{ImageId: first})
	check("GlanceShowImage", err)
	expectEqual("GlanceShowImage id", deref(shown.Id), first)
	expectEqual("GlanceShowImage status", string(deref(shown.Status).Value()), "active")
	emit(map[string]any{"step": "show", "id": deref(shown.Id), "name": deref(shown.Name), "status": "active"})

	updated, err := client.UpdateImage(&model.UpdateImageRequest{ImageId: first, Body: &[]model.UpdateImageRequestBody{
		{Op: model.GetUpdateImageRequestBodyOpEnum().REPLACE, Path: "/name", Value: "sdk-go-renamed"},
	}})
	check("UpdateImage", err)
	expectEqual("UpdateImage name", deref(updated.Name), "sdk-go-renamed")
	emit(map[string]any{"step": "update", "name": deref(updated.Name)})

	tag := model.ResourceTag{Key: "stage", Value: "test"}
	_, err = client.BatchAddOrDeleteTags(&model.BatchAddOrDeleteTagsRequest{ImageId: first, Body: &model.BatchAddOrDeleteTagsRequestBody{
		Action: model.GetBatchAddOrDeleteTagsRequestBodyActionEnum().CREATE, Tags: []model.ResourceTag{tag}}})
	check("BatchAddOrDeleteTags create", err)
	tags, err := client.ListImageTags(&model.ListImageTagsRequest{ImageId: first})
	check("ListImageTags", err)
	if !hasTag(*tags.Tags, "stage", "test") {
		fail("ListImageTags", fmt.Errorf("no stage=test among %s", toJSON(tags.Tags)))
	}
	_, err = client.BatchAddOrDeleteTags(&model.BatchAddOrDeleteTagsRequest{ImageId: first, Body: &model.BatchAddOrDeleteTagsRequestBody{
		Action: model.GetBatchAddOrDeleteTagsRequestBodyActionEnum().DELETE, Tags: []model.ResourceTag{{Key: "stage"}}}})
	check("BatchAddOrDeleteTags delete", err)
	tags, err = client.ListImageTags(&model.ListImageTagsRequest{ImageId: first})
	check("ListImageTags", err)
	if hasTag(*tags.Tags, "stage", "test") {
		fail("ListImageTags", fmt.Errorf("stage=test still there after delete: %s", toJSON(tags.Tags)))
	}
	emit(map[string]any{"step": "tags", "after_delete": tags.Tags})

	quota, err := client.ShowImageQuota(&model.ShowImageQuotaRequest{})
	check("ShowImageQuota", err)
	used := int32(-1)
	for _, resource := range quota.Quotas.Resources {
		if resource.Type == "image" {
			used = resource.Used
		}
	}
	if used != int32(len(imageIDs)) {
		fail("ShowImageQuota", fmt.Errorf("image used %d, want %d: %s", used, len(imageIDs), toJSON(quota)))
	}
	emit(map[string]any{"step": "quota", "used": used})

	for _, id := range imageIDs {
		_, err := client.GlanceDeleteImage(&model.GlanceDeleteImageRequest{ImageId: id, Body: &model.GlanceDeleteImageRequestBody{}})
		check("GlanceDeleteImage", err)
	}
	_, err = client.GlanceShowImage(&model.GlanceShowImageRequest{ImageId: first})
	gone := serviceError("GlanceShowImage after delete", err)
	expectEqual("GlanceShowImage after delete status", gone.StatusCode, 404)
	emit(map[string]any{"step": "deleted", "count": len(imageIDs), "then_status": gone.StatusCode, "then_code": gone.ErrorCode})

	// A file image's min_disk is 40 to 1024: the SDK sends it as it is, and IMS refuses it.
	refused := model.CreateImageRequestBody{Name: ptr("sdk-go-refused"), ImageUrl: ptr("ims-image:centos70.qcow2"), MinDisk: ptr(int32(1))}
	_, err = client.CreateImage(&model.CreateImageRequest{Body: &refused})
	refusal := serviceError("CreateImage refused", err)
	expectEqual("refusal status", refusal.StatusCode, 400)
	if !strings.HasPrefix(refusal.ErrorCode, "IMG.") {
		fail("refusal", fmt.Errorf("the SDK's error carries code %q, want IMG.*: %s", refusal.ErrorCode, refusal.Error()))
	}
	emit(map[string]any{"step": "refused", "status": refusal.StatusCode, "code": refusal.ErrorCode, "message": refusal.ErrorMessage, "request_id": refusal.RequestId})
}

// throttle sends more ListImages than the stub's rate limit allows, each through the SDK's invoker with its
// retry: a 429 is retried after a backoff until it passes.
func throttle(client *ims.ImsClient) {
	attempts := 0
	var throttled []string
	// The stub counts requests in one-second windows; the SDK's default 10 ms base delay would spend its retries
	// inside one window, so wait as Huawei's guidance for APIG.0308 says (seconds, not milliseconds).
	backoff := retry.NewExponential()
	backoff.SetBaseDelay(400)
	for call := 0; call < 3; call++ {
		response, err := client.ListImagesInvoker(&model.ListImagesRequest{Limit: ptr(int32(1))}).
			WithRetry(5, func(response interface{}, err error) bool {
				attempts++
				var se *sdkerr.ServiceResponseError
				if errors.As(err, &se) && se.StatusCode == 429 {
					throttled = append(throttled, se.ErrorCode)
					return true
				}
				return false
			}, backoff).
			Invoke()
		check("ListImages with retry", err)
		if response == nil {
			fail("ListImages with retry", errors.New("no response"))
		}
	}
	if len(throttled) == 0 {
		fail("throttle", fmt.Errorf("%d attempts and none was throttled: is the stub's rate limit on?", attempts))
	}
	emit(map[string]any{"step": "throttle", "calls": 3, "attempts": attempts, "throttled_codes": throttled})
}

func waitForJob(client *ims.ImsClient, jobID string) *model.ShowJobResponse {
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		job, err := client.ShowJob(&model.ShowJobRequest{JobId: jobID})
		check("ShowJob", err)
		switch status := job.Status.Value(); status {
		case "SUCCESS":
			return job
		case "FAIL":
			fail("ShowJob", fmt.Errorf("job %s failed: %s %s", jobID, deref(job.ErrorCode), deref(job.FailReason)))
		}
		time.Sleep(200 * time.Millisecond)
	}
	fail("ShowJob", fmt.Errorf("job %s did not end within 60 s", jobID))
	return nil
}

// jobImageIDs reads the image IDs where IMS puts them: entities.image_id for one image, or
// entities.sub_jobs_result[].entities.image_id for data disk images made from a server.
func jobImageIDs(job *model.ShowJobResponse) []string {
	if job.Entities == nil {
		return nil
	}
	if id := deref(job.Entities.ImageId); id != "" {
		return []string{id}
	}
	var ids []string
	if job.Entities.SubJobsResult != nil {
		for _, sub := range *job.Entities.SubJobsResult {
			if sub.Entities != nil && deref(sub.Entities.ImageId) != "" {
				ids = append(ids, deref(sub.Entities.ImageId))
			}
		}
	}
	return ids
}

func hasTag(tags []model.ResourceTag, key, value string) bool {
	for _, tag := range tags {
		if tag.Key == key && tag.Value == value {
			return true
		}
	}
	return false
}

func serviceError(step string, err error) *sdkerr.ServiceResponseError {
	var se *sdkerr.ServiceResponseError
	if err == nil {
		fail(step, errors.New("the call succeeded, an error was expected"))
	}
	if !errors.As(err, &se) {
		fail(step, fmt.Errorf("not a ServiceResponseError: %T %v", err, err))
	}
	return se
}

func check(step string, err error) {
	if err != nil {
		fail(step, err)
	}
}

func expectEqual[T comparable](what string, got, want T) {
	if got != want {
		fail(what, fmt.Errorf("got %v, want %v", got, want))
	}
}

func fail(step string, err error) {
	fmt.Fprintf(os.Stderr, "%s: %v\n", step, err)
	os.Exit(1)
}

func emit(line map[string]any) {
	fmt.Println(toJSON(line))
}

func toJSON(v any) string {
	data, _ := json.Marshal(v)
	return string(data)
}

func mustEnv(name string) string {
	value := os.Getenv(name)
	if value == "" {
		fail("environment", fmt.Errorf("%s is not set", name))
	}
	return value
}

func ptr[T any](v T) *T { return &v }

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}
