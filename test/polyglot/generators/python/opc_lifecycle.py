"""The lifecycle of three images through the client openapi-python-client generates from the contract, against the
stub at IMS_ENDPOINT: create (from a server, a file, a volume), wait for the job, read, update, tag and delete each
image, and read the IMS error code of a refused create. Prints one RESULT line of JSON; any mismatch exits 1."""

from __future__ import annotations

import json
import os
import sys
import time
from uuid import UUID

from ims_opc import AuthenticatedClient
from ims_opc.api.image_tags import batch_add_or_delete_tags, list_image_tags
from ims_opc.api.images import create_image, glance_delete_image, glance_show_image, list_images, update_image
from ims_opc.api.jobs import show_job
from ims_opc.models import (
    AddOrDeleteImageTags,
    AddOrDeleteImageTagsAction,
    BatchImageTag,
    FromADataVolume,
    FromAnImageFileInAnOBSBucket,
    Image,
    ImageList,
    ImagePatchOperation,
    ImagePatchOperationOp,
    ImageTag,
    ImageTags,
    IMSError,
    JobCreated,
    JobFailed,
    JobInProgress,
    JobSucceeded,
    SystemDiskImageFromACloudServer,
)

SERVER_ID = UUID("877a2cda-ba63-4e1e-b95f-e67e48b6129a")
VOLUME_ID = UUID("c5dfbd0c-bf0a-4798-a453-61dc6b54aa30")


def fail(message: str) -> None:
    print(f"FAIL: {message}", file=sys.stderr)
    sys.exit(1)


def wait_for_image(client: AuthenticatedClient, project_id: str, job_id: str) -> tuple[str, str]:
    """The job waiter, written by hand: the generator knows nothing of the job's states."""
    deadline, delay = time.monotonic() + 30, 0.01
    while time.monotonic() < deadline:
        job = show_job.sync_detailed(project_id, job_id, client=client).parsed
        if isinstance(job, JobSucceeded):
            if not isinstance(job.entities.image_id, str):
                fail(f"a SUCCESS job without entities.image_id: {job.to_dict()}")
            return str(job.entities.image_id), job.job_type
        if isinstance(job, JobFailed):
            fail(f"job {job_id} failed: {job.error_code} {job.fail_reason}")
        if not isinstance(job, JobInProgress):
            fail(f"ShowJob {job_id} answered {job!r}")
        time.sleep(delay)
        delay = min(delay * 2, 1.0)
    fail(f"job {job_id} did not end in 30 s")
    raise AssertionError


def main() -> None:
    project_id = os.environ["IMS_PROJECT_ID"]
    client = AuthenticatedClient(
        base_url=os.environ["IMS_ENDPOINT"], token=os.environ["IMS_TOKEN"], prefix="", auth_header_name="X-Auth-Token"
    )
    bodies: dict[str, SystemDiskImageFromACloudServer | FromAnImageFileInAnOBSBucket | FromADataVolume] = {
        "server": SystemDiskImageFromACloudServer(name="py-opc-server", instance_id=SERVER_ID),
        "file": FromAnImageFileInAnOBSBucket(name="py-opc-file", image_url="ims-image:centos70.qcow2", min_disk=40),
        "volume": FromADataVolume(name="py-opc-volume", volume_id=VOLUME_ID, os_version="CentOS 7.0 64bit"),
    }
    job_types: dict[str, str] = {}
    for source, body in bodies.items():
        created = create_image.sync_detailed(client=client, body=body)
        if not isinstance(created.parsed, JobCreated):
            fail(f"CreateImage {source} answered {created.status_code}: {created.content!r}")
            return
        image_id, job_types[source] = wait_for_image(client, project_id, created.parsed.job_id)

        listed = list_images.sync_detailed(client=client, id=image_id).parsed
        if not isinstance(listed, ImageList) or len(listed.images) != 1 or listed.images[0].status.value != "active":
            fail(f"ListImages ?id={image_id}: {listed!r}")
        shown = glance_show_image.sync_detailed(image_id, client=client).parsed
        if not isinstance(shown, Image) or str(shown.id) != image_id:
            fail(f"GlanceShowImage {image_id}: {shown!r}")
            return

        renamed = shown.name + "-renamed"
        patch = [ImagePatchOperation(op=ImagePatchOperationOp.REPLACE, path="/name", value=renamed)]
        updated = update_image.sync_detailed(image_id, client=client, body=patch).parsed
        if not isinstance(updated, Image) or updated.name != renamed:
            fail(f"UpdateImage {image_id}: {updated!r}")

        tags = AddOrDeleteImageTags(
            action=AddOrDeleteImageTagsAction.CREATE, tags=[BatchImageTag(key="generator", value="openapi-python-client")]
        )
        tagged = batch_add_or_delete_tags.sync_detailed(project_id, image_id, client=client, body=tags)
        if tagged.status_code != 204:
            fail(f"BatchAddOrDeleteTags {image_id} answered {tagged.status_code}: {tagged.content!r}")
        read_tags = list_image_tags.sync_detailed(project_id, image_id, client=client).parsed
        if not isinstance(read_tags, ImageTags) or [tag.key for tag in read_tags.tags] != ["generator"]:
            fail(f"ListImageTags {image_id}: {read_tags!r}")

        deleted = glance_delete_image.sync_detailed(image_id, client=client)
        if deleted.status_code != 204:
            fail(f"GlanceDeleteImage {image_id} answered {deleted.status_code}: {deleted.content!r}")
        gone = list_images.sync_detailed(client=client, id=image_id).parsed
        if not isinstance(gone, ImageList) or gone.images:
            fail(f"image {image_id} still listed after delete: {gone!r}")

    # min_ram above max_ram: a rule beyond the schema, so only the service can refuse it.
    refused_body = SystemDiskImageFromACloudServer(name="py-opc-refused", instance_id=SERVER_ID, min_ram=2048, max_ram=1024)
    refused = create_image.sync_detailed(client=client, body=refused_body)
    if not isinstance(refused.parsed, IMSError):
        fail(f"the refused create answered {refused.status_code} without an IMS error: {refused.content!r}")
        return
    error = refused.parsed.error
    result = {
        "jobTypes": job_types,
        "refused": {"status": int(refused.status_code), "code": error.code, "message": error.message},
    }
    print("RESULT " + json.dumps(result))


if __name__ == "__main__":
    main()
