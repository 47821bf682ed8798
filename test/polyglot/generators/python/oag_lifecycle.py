"""The lifecycle of three images through the client openapi-generator's `python` generator makes from the contract's
OpenAPI 3.0 rendition, against the stub at IMS_ENDPOINT: create (from a server, a file, a volume), wait for the job,
read, update, tag and delete each image, and read the IMS error code of a refused create. Prints one RESULT line of
JSON; any mismatch exits 1."""

from __future__ import annotations

import json
import os
import sys
import time
from typing import NoReturn
from uuid import UUID

from ims_oag import ApiClient, Configuration
from ims_oag.api.image_tags_api import ImageTagsApi
from ims_oag.api.images_api import ImagesApi
from ims_oag.api.jobs_api import JobsApi
from ims_oag.exceptions import ApiException
from ims_oag.models.batch_image_tag import BatchImageTag
from ims_oag.models.batch_image_tags_request import BatchImageTagsRequest
from ims_oag.models.create_image_from_file import CreateImageFromFile
from ims_oag.models.create_image_from_server import CreateImageFromServer
from ims_oag.models.create_image_request_body import CreateImageRequestBody
from ims_oag.models.create_system_image_from_server import CreateSystemImageFromServer
from ims_oag.models.create_system_image_from_volume import CreateSystemImageFromVolume
from ims_oag.models.error_body import ErrorBody
from ims_oag.models.image_patch_value import ImagePatchValue
from ims_oag.models.image_status import ImageStatus
from ims_oag.models.image_tag import ImageTag
from ims_oag.models.job_failed import JobFailed
from ims_oag.models.job_in_progress import JobInProgress
from ims_oag.models.job_succeeded import JobSucceeded
from ims_oag.models.update_image_operation import UpdateImageOperation

SERVER_ID = UUID("877a2cda-ba63-4e1e-b95f-e67e48b6129a")
VOLUME_ID = UUID("c5dfbd0c-bf0a-4798-a453-61dc6b54aa30")


def fail(message: str) -> NoReturn:
    print(f"FAIL: {message}", file=sys.stderr)
    sys.exit(1)


def wait_for_image(jobs: JobsApi, project_id: str, job_id: str) -> tuple[str, str]:
    """The job waiter, written by hand: the generator knows nothing of the job's states."""
    deadline, delay = time.monotonic() + 30, 0.01
    while time.monotonic() < deadline:
        job = jobs.show_job(project_id, job_id).actual_instance
        if isinstance(job, JobSucceeded):
            if job.entities.image_id is None:
                fail(f"a SUCCESS job without entities.image_id: {job.to_json()}")
            return job.entities.image_id, job.job_type
        if isinstance(job, JobFailed):
            fail(f"job {job_id} failed: {job.error_code} {job.fail_reason}")
        if not isinstance(job, JobInProgress):
            fail(f"ShowJob {job_id} answered {job!r}")
        time.sleep(delay)
        delay = min(delay * 2, 1.0)
    fail(f"job {job_id} did not end in 30 s")


def main() -> None:
    project_id = os.environ["IMS_PROJECT_ID"]
    configuration = Configuration(host=os.environ["IMS_ENDPOINT"], api_key={"token": os.environ["IMS_TOKEN"]})
    with ApiClient(configuration) as api_client:
        images, jobs, tags_api = ImagesApi(api_client), JobsApi(api_client), ImageTagsApi(api_client)
        bodies = {
            "server": CreateImageRequestBody(
                CreateImageFromServer(CreateSystemImageFromServer(name="py-oag-server", instance_id=SERVER_ID))
            ),
            "file": CreateImageRequestBody(
                CreateImageFromFile(name="py-oag-file", image_url="ims-image:centos70.qcow2", min_disk=40)
            ),
            "volume": CreateImageRequestBody(
                CreateSystemImageFromVolume(name="py-oag-volume", volume_id=VOLUME_ID, os_version="CentOS 7.0 64bit")
            ),
        }
        job_types: dict[str, str] = {}
        for source, body in bodies.items():
            created = images.create_image(body)
            image_id, job_types[source] = wait_for_image(jobs, project_id, created.job_id)

            listed = images.list_images(id=image_id)
            if len(listed.images) != 1 or listed.images[0].status != ImageStatus.ACTIVE:
                fail(f"ListImages ?id={image_id}: {listed.to_json()}")
            shown = images.glance_show_image(image_id)
            if str(shown.id) != image_id:
                fail(f"GlanceShowImage {image_id}: {shown.to_json()}")

            renamed = shown.name + "-renamed"
            patch = [UpdateImageOperation(op="replace", path="/name", value=ImagePatchValue(renamed))]
            updated = images.update_image(image_id, patch)
            if updated.name != renamed:
                fail(f"UpdateImage {image_id}: {updated.to_json()}")

            request = BatchImageTagsRequest(action="create", tags=[BatchImageTag(key="generator", value="openapi-generator-python")])
            tagged = tags_api.batch_add_or_delete_tags_with_http_info(project_id, image_id, request)
            if tagged.status_code != 204:
                fail(f"BatchAddOrDeleteTags {image_id} answered {tagged.status_code}")
            read_tags = tags_api.list_image_tags(project_id, image_id)
            if [tag.key for tag in read_tags.tags] != ["generator"]:
                fail(f"ListImageTags {image_id}: {read_tags.to_json()}")

            deleted = images.glance_delete_image_with_http_info(image_id)
            if deleted.status_code != 204:
                fail(f"GlanceDeleteImage {image_id} answered {deleted.status_code}")
            if images.list_images(id=image_id).images:
                fail(f"image {image_id} still listed after delete")

        # min_ram above max_ram: a rule beyond the schema, so only the service can refuse it.
        refused = CreateImageRequestBody(
            CreateImageFromServer(
                CreateSystemImageFromServer(name="py-oag-refused", instance_id=SERVER_ID, min_ram=2048, max_ram=1024)
            )
        )
        try:
            images.create_image(refused)
        except ApiException as error:
            if not isinstance(error.data, ErrorBody):
                fail(f"the refused create's error is not an IMS error body: {error.data!r} {error.body!r}")
            result = {
                "jobTypes": job_types,
                "refused": {"status": error.status, "code": error.data.error.code, "message": error.data.error.message},
            }
            print("RESULT " + json.dumps(result))
            return
        fail("the refused create was accepted")


if __name__ == "__main__":
    main()
