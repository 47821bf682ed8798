// The lifecycle of three images through the client openapi-generator's `go` generator makes from the contract's
// OpenAPI 3.0 rendition, against the stub at IMS_ENDPOINT: create (from a server, a file, a volume), wait for the
// job, read, update, tag and delete each image, and read the IMS error code of a refused create. Prints one RESULT
// line of JSON; any mismatch exits 1.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"time"

	ims "ims-polyglot/openapigenerator/ims"
)

const (
	serverID = "877a2cda-ba63-4e1e-b95f-e67e48b6129a"
	volumeID = "c5dfbd0c-bf0a-4798-a453-61dc6b54aa30"
)

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "FAIL: "+format+"\n", args...)
	os.Exit(1)
}

func must(err error, what string) {
	if err != nil {
		var apiError *ims.GenericOpenAPIError
		if errors.As(err, &apiError) {
			fail("%s: %v: %s", what, err, apiError.Body())
		}
		fail("%s: %v", what, err)
	}
}

func expectStatus(response *http.Response, status int, what string) {
	if response == nil || response.StatusCode != status {
		fail("%s: expected %d, got %v", what, status, response)
	}
}

// waitForImage polls ShowJob until the job ends and returns the image it made (the job waiter, written by hand:
// the generator knows nothing of the job's states).
func waitForImage(ctx context.Context, client *ims.APIClient, projectID, jobID string) (string, string) {
	deadline := time.Now().Add(30 * time.Second)
	for delay := 10 * time.Millisecond; time.Now().Before(deadline); delay = min(delay*2, time.Second) {
		job, _, err := client.JobsAPI.ShowJob(ctx, projectID, jobID).Execute()
		must(err, "ShowJob")
		switch {
		case job.JobSucceeded != nil:
			imageID, ok := job.JobSucceeded.Entities.GetImageIdOk()
			if !ok {
				fail("a SUCCESS job without entities.image_id")
			}
			return *imageID, job.JobSucceeded.JobType
		case job.JobFailed != nil:
			fail("job %s failed: %s %s", jobID, job.JobFailed.ErrorCode, job.JobFailed.FailReason)
		case job.JobInProgress != nil:
			time.Sleep(delay)
		default:
			fail("ShowJob %s: a job of no known shape", jobID)
		}
	}
	fail("job %s did not end in 30 s", jobID)
	return "", ""
}

func main() {
	endpoint, projectID := os.Getenv("IMS_ENDPOINT"), os.Getenv("IMS_PROJECT_ID")
	configuration := ims.NewConfiguration()
	configuration.Servers = ims.ServerConfigurations{{URL: endpoint}}
	client := ims.NewAPIClient(configuration)
	ctx := context.WithValue(context.Background(), ims.ContextAPIKeys, map[string]ims.APIKey{"token": {Key: os.Getenv("IMS_TOKEN")}})

	server := ims.CreateSystemImageFromServerAsCreateImageFromServer(ims.NewCreateSystemImageFromServer("go-oag-server", serverID))
	bodies := map[string]ims.CreateImageRequestBody{
		"server": ims.CreateImageFromServerAsCreateImageRequestBody(&server),
		"file":   ims.CreateImageFromFileAsCreateImageRequestBody(ims.NewCreateImageFromFile("go-oag-file", "ims-image:centos70.qcow2", 40)),
		"volume": ims.CreateSystemImageFromVolumeAsCreateImageRequestBody(ims.NewCreateSystemImageFromVolume("go-oag-volume", volumeID, "CentOS 7.0 64bit")),
	}

	jobTypes := map[string]string{}
	for _, source := range []string{"server", "file", "volume"} {
		created, _, err := client.ImagesAPI.CreateImage(ctx).CreateImageRequestBody(bodies[source]).Execute()
		must(err, "CreateImage "+source)
		imageID, jobType := waitForImage(ctx, client, projectID, created.JobId)
		jobTypes[source] = jobType

		listed, _, err := client.ImagesAPI.ListImages(ctx).Id(imageID).Execute()
		must(err, "ListImages")
		if len(listed.Images) != 1 || listed.Images[0].Status != ims.IMAGESTATUS_ACTIVE {
			fail("ListImages ?id=%s: %+v", imageID, listed.Images)
		}
		shown, _, err := client.ImagesAPI.GlanceShowImage(ctx, imageID).Execute()
		must(err, "GlanceShowImage")
		if shown.Id != imageID {
			fail("GlanceShowImage %s: %+v", imageID, shown)
		}

		renamed := shown.Name + "-renamed"
		operation := ims.NewUpdateImageOperation("replace", "/name")
		value := ims.StringAsImagePatchValue(&renamed)
		operation.SetValue(value)
		updated, _, err := client.ImagesAPI.UpdateImage(ctx, imageID).UpdateImageOperation([]ims.UpdateImageOperation{*operation}).Execute()
		must(err, "UpdateImage")
		if updated.Name != renamed {
			fail("UpdateImage %s: name %q", imageID, updated.Name)
		}

		tag := ims.NewBatchImageTag("generator")
		tag.SetValue("openapi-generator-go")
		tagged, err := client.ImageTagsAPI.BatchAddOrDeleteTags(ctx, projectID, imageID).BatchImageTagsRequest(*ims.NewBatchImageTagsRequest("create", []ims.BatchImageTag{*tag})).Execute()
		must(err, "BatchAddOrDeleteTags")
		expectStatus(tagged, http.StatusNoContent, "BatchAddOrDeleteTags")
		tags, _, err := client.ImageTagsAPI.ListImageTags(ctx, projectID, imageID).Execute()
		must(err, "ListImageTags")
		if len(tags.Tags) != 1 || tags.Tags[0].Key != "generator" {
			fail("ListImageTags %s: %+v", imageID, tags.Tags)
		}

		deleted, err := client.ImagesAPI.GlanceDeleteImage(ctx, imageID).DeleteImageRequestBody(*ims.NewDeleteImageRequestBody()).Execute()
		must(err, "GlanceDeleteImage")
		expectStatus(deleted, http.StatusNoContent, "GlanceDeleteImage")
		gone, _, err := client.ImagesAPI.ListImages(ctx).Id(imageID).Execute()
		must(err, "ListImages after delete")
		if len(gone.Images) != 0 {
			fail("image %s still listed after delete", imageID)
		}
	}

	// min_ram above max_ram: a rule beyond the schema, so only the service can refuse it.
	refusedBody := ims.NewCreateSystemImageFromServer("go-oag-refused", serverID)
	refusedBody.SetMinRam(2048)
	refusedBody.SetMaxRam(1024)
	refusedServer := ims.CreateSystemImageFromServerAsCreateImageFromServer(refusedBody)
	_, response, err := client.ImagesAPI.CreateImage(ctx).CreateImageRequestBody(ims.CreateImageFromServerAsCreateImageRequestBody(&refusedServer)).Execute()
	var apiError *ims.GenericOpenAPIError
	if !errors.As(err, &apiError) {
		fail("the refused create: expected an API error, got %v", err)
	}
	errorBody, ok := apiError.Model().(ims.ErrorBody)
	if !ok {
		fail("the refused create's error is not an IMS error body: %T %s", apiError.Model(), apiError.Body())
	}

	result, _ := json.Marshal(map[string]any{"jobTypes": jobTypes, "refused": map[string]any{"status": response.StatusCode, "code": errorBody.Error.Code, "message": errorBody.Error.Message}})
	fmt.Printf("RESULT %s\n", result)
}
