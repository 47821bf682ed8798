// The lifecycle of three images through the client oapi-codegen generates from the contract, against the stub at
// IMS_ENDPOINT: create (from a server, a file, a volume), wait for the job, read, update, tag and delete each image,
// and read the IMS error code of a refused create. Prints one RESULT line of JSON; any mismatch exits 1.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"time"

	"github.com/google/uuid"
	ims "ims-polyglot/oapicodegen/ims"
)

var (
	serverID = uuid.MustParse("877a2cda-ba63-4e1e-b95f-e67e48b6129a")
	volumeID = uuid.MustParse("c5dfbd0c-bf0a-4798-a453-61dc6b54aa30")
)

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "FAIL: "+format+"\n", args...)
	os.Exit(1)
}

func must(err error, what string) {
	if err != nil {
		fail("%s: %v", what, err)
	}
}

func ptr[T any](v T) *T { return &v }

// waitForImage polls ShowJob until the job ends and returns the image it made (the job waiter, written by hand:
// the generator knows nothing of the job's states).
func waitForImage(ctx context.Context, client *ims.ClientWithResponses, projectID, jobID string) (string, string) {
	deadline := time.Now().Add(30 * time.Second)
	for delay := 10 * time.Millisecond; time.Now().Before(deadline); delay = min(delay*2, time.Second) {
		response, err := client.ShowJobWithResponse(ctx, projectID, jobID)
		must(err, "ShowJob")
		if response.JSON200 == nil {
			fail("ShowJob answered %d: %s", response.StatusCode(), response.Body)
		}
		value, err := response.JSON200.ValueByDiscriminator()
		must(err, "the job's status")
		switch job := value.(type) {
		case ims.JobSucceeded:
			if job.Entities.ImageId == nil {
				fail("a SUCCESS job without entities.image_id: %s", response.Body)
			}
			return *job.Entities.ImageId, job.JobType
		case ims.JobFailed:
			fail("job %s failed: %s %s", jobID, job.ErrorCode, job.FailReason)
		case ims.JobInProgress:
			time.Sleep(delay)
		}
	}
	fail("job %s did not end in 30 s", jobID)
	return "", ""
}

func main() {
	endpoint, projectID := os.Getenv("IMS_ENDPOINT"), os.Getenv("IMS_PROJECT_ID")
	token := func(_ context.Context, request *http.Request) error {
		request.Header.Set("X-Auth-Token", os.Getenv("IMS_TOKEN"))
		return nil
	}
	client, err := ims.NewClientWithResponses(endpoint, ims.WithRequestEditorFn(token))
	must(err, "client")
	ctx := context.Background()

	var server ims.CreateImageFromServer
	must(server.FromCreateSystemImageFromServer(ims.CreateSystemImageFromServer{Name: "go-oapi-server", InstanceId: serverID}), "server body")
	bodies := map[string]ims.CreateImageRequestBody{}
	for source, set := range map[string]func(*ims.CreateImageRequestBody) error{
		"server": func(b *ims.CreateImageRequestBody) error { return b.FromCreateImageFromServer(server) },
		"file": func(b *ims.CreateImageRequestBody) error {
			return b.FromCreateImageFromFile(ims.CreateImageFromFile{Name: "go-oapi-file", ImageUrl: "ims-image:centos70.qcow2", MinDisk: 40})
		},
		"volume": func(b *ims.CreateImageRequestBody) error {
			return b.FromCreateSystemImageFromVolume(ims.CreateSystemImageFromVolume{Name: "go-oapi-volume", VolumeId: volumeID, OsVersion: "CentOS 7.0 64bit"})
		},
	} {
		var body ims.CreateImageRequestBody
		must(set(&body), source+" body")
		bodies[source] = body
	}

	jobTypes := map[string]string{}
	for _, source := range []string{"server", "file", "volume"} {
		created, err := client.CreateImageWithResponse(ctx, bodies[source])
		must(err, "CreateImage "+source)
		if created.JSON200 == nil {
			fail("CreateImage %s answered %d: %s", source, created.StatusCode(), created.Body)
		}
		imageID, jobType := waitForImage(ctx, client, projectID, created.JSON200.JobId)
		jobTypes[source] = jobType

		listed, err := client.ListImagesWithResponse(ctx, &ims.ListImagesParams{Id: &imageID})
		must(err, "ListImages")
		if listed.JSON200 == nil || len(listed.JSON200.Images) != 1 || listed.JSON200.Images[0].Status != "active" {
			fail("ListImages ?id=%s: %s", imageID, listed.Body)
		}
		shown, err := client.GlanceShowImageWithResponse(ctx, imageID)
		must(err, "GlanceShowImage")
		if shown.JSON200 == nil || shown.JSON200.Id.String() != imageID {
			fail("GlanceShowImage %s: %s", imageID, shown.Body)
		}

		var newName ims.ImagePatchValue
		must(newName.FromImagePatchValue0(shown.JSON200.Name+"-renamed"), "patch value")
		updated, err := client.UpdateImageWithResponse(ctx, imageID, ims.UpdateImageRequestBody{{Op: ims.UpdateImageOperationOpReplace, Path: "/name", Value: &newName}})
		must(err, "UpdateImage")
		if updated.JSON200 == nil || updated.JSON200.Name != shown.JSON200.Name+"-renamed" {
			fail("UpdateImage %s: %s", imageID, updated.Body)
		}

		tagged, err := client.BatchAddOrDeleteTagsWithResponse(ctx, projectID, imageID, ims.BatchImageTagsRequest{Action: ims.BatchImageTagsRequestActionCreate, Tags: []ims.BatchImageTag{{Key: "generator", Value: ptr("oapi-codegen")}}})
		must(err, "BatchAddOrDeleteTags")
		if tagged.StatusCode() != http.StatusNoContent {
			fail("BatchAddOrDeleteTags %s answered %d: %s", imageID, tagged.StatusCode(), tagged.Body)
		}
		tags, err := client.ListImageTagsWithResponse(ctx, projectID, imageID)
		must(err, "ListImageTags")
		if tags.JSON200 == nil || len(tags.JSON200.Tags) != 1 || tags.JSON200.Tags[0].Key != "generator" {
			fail("ListImageTags %s: %s", imageID, tags.Body)
		}

		deleted, err := client.GlanceDeleteImageWithResponse(ctx, imageID, ims.DeleteImageRequestBody{})
		must(err, "GlanceDeleteImage")
		if deleted.StatusCode() != http.StatusNoContent {
			fail("GlanceDeleteImage %s answered %d: %s", imageID, deleted.StatusCode(), deleted.Body)
		}
		gone, err := client.ListImagesWithResponse(ctx, &ims.ListImagesParams{Id: &imageID})
		must(err, "ListImages after delete")
		if gone.JSON200 == nil || len(gone.JSON200.Images) != 0 {
			fail("image %s still listed after delete: %s", imageID, gone.Body)
		}
	}

	// min_ram above max_ram: a rule beyond the schema, so only the service can refuse it.
	refusedBody := ims.CreateSystemImageFromServer{Name: "go-oapi-refused", InstanceId: serverID, MinRam: ptr(2048), MaxRam: ptr(1024)}
	var refusedServer ims.CreateImageFromServer
	must(refusedServer.FromCreateSystemImageFromServer(refusedBody), "refused body")
	var refused ims.CreateImageRequestBody
	must(refused.FromCreateImageFromServer(refusedServer), "refused body")
	answer, err := client.CreateImageWithResponse(ctx, refused)
	must(err, "CreateImage refused")
	if answer.JSON400 == nil {
		fail("the refused create answered %d without an IMS error: %s", answer.StatusCode(), answer.Body)
	}

	result, _ := json.Marshal(map[string]any{"jobTypes": jobTypes, "refused": map[string]any{"status": answer.StatusCode(), "code": answer.JSON400.Error.Code, "message": answer.JSON400.Error.Message}})
	fmt.Printf("RESULT %s\n", result)
}
