"""Huawei's Python SDK (huaweicloudsdkims, v2) run against ims-stub, as its users call it: AK/SK credentials, a
custom endpoint, the SDK's own request models, exceptions and retry. Each step prints one JSON line; the first
failed expectation ends the program with exit status 1 and its reason on stderr."""
import json
import os
import sys
import time

from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkcore.exceptions.exceptions import ServiceResponseException
from huaweicloudsdkcore.http.http_config import HttpConfig
from huaweicloudsdkcore.retry.backoff_strategy import BackoffStrategy
from huaweicloudsdkims.v2 import (
    BatchAddOrDeleteTagsRequest,
    BatchAddOrDeleteTagsRequestBody,
    CreateDataImage,
    CreateImageInSafeModeRequest,
    CreateImageRequest,
    CreateImageRequestBody,
    GlanceDeleteImageRequest,
    GlanceDeleteImageRequestBody,
    GlanceShowImageRequest,
    ImsClient,
    ListImagesRequest,
    ListImageTagsRequest,
    ResourceTag,
    ShowImageQuotaRequest,
    ShowJobRequest,
    TagKeyValue,
    UpdateImageRequest,
    UpdateImageRequestBody,
)

SERVER_ID = "877a2cda-ba63-4e1e-b95f-e67e48b6129a"
VOLUME_ID = "c5dfbd0c-bf0a-4798-a453-61dc6b54aa30"


class Failure(Exception):
    pass


def env(name):
    value = os.environ.get(name)
    if not value:
        raise Failure(f"environment: {name} is not set")
    return value


def emit(**line):
    print(json.dumps(line), flush=True)


def new_client(http_config=None):
    credentials = BasicCredentials(env("IMS_AK"), env("IMS_SK"), env("IMS_PROJECT_ID"))
    builder = ImsClient.new_builder().with_credentials(credentials).with_endpoints([env("IMS_ENDPOINT")])
    if http_config is not None:
        builder = builder.with_http_config(http_config)
    return builder.build()


def create_cases():
    return [
        ("server-system", lambda: CreateImageRequestBody(name="sdk-python-server", instance_id=SERVER_ID,
                                                         description="made by the Python SDK",
                                                         image_tags=[TagKeyValue(key="made-by", value="python-sdk")])),
        ("server-data", lambda: CreateImageRequestBody(data_images=[CreateDataImage(name="sdk-python-data", volume_id=VOLUME_ID)])),
        ("file", lambda: CreateImageRequestBody(name="sdk-python-file", image_url="ims-image:centos70.qcow2", min_disk=40)),
        ("volume", lambda: CreateImageRequestBody(name="sdk-python-volume", volume_id=VOLUME_ID, os_version="CentOS 7.0 64bit")),
    ]


def job_image_ids(job):
    """entities.image_id for one image, or each sub-job's for data disk images made from a server."""
    entities = job.entities
    if entities is None:
        return []
    if entities.image_id:
        return [entities.image_id]
    return [sub.entities.image_id for sub in entities.sub_jobs_result or [] if sub.entities and sub.entities.image_id]


def wait_for_job(client, job_id):
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        job = client.show_job(ShowJobRequest(job_id=job_id))
        if job.status == "SUCCESS":
            return job
        if job.status == "FAIL":
            raise Failure(f"ShowJob: job {job_id} failed: {job.error_code} {job.fail_reason}")
        time.sleep(0.2)
    raise Failure(f"ShowJob: job {job_id} did not end within 60 s")


def expect_service_error(step, call):
    try:
        call()
    except ServiceResponseException as error:
        return error
    raise Failure(f"{step}: the call succeeded, an error was expected")


def lifecycle(client):
    image_ids = []
    for kind, make_body in create_cases():
        for safe_mode in (False, True):
            if safe_mode:
                created = client.create_image_in_safe_mode(CreateImageInSafeModeRequest(body=make_body()))
            else:
                created = client.create_image(CreateImageRequest(body=make_body()))
            job = wait_for_job(client, created.job_id)
            ids = job_image_ids(job)
            if not ids:
                raise Failure(f"ShowJob: job {created.job_id} ended SUCCESS without an image ID: {job}")
            emit(step="create", kind=kind, safe_mode=safe_mode, job_id=created.job_id, image_ids=ids)
            image_ids += ids

    first = image_ids[0]
    listed = client.list_images(ListImagesRequest(name="sdk-python-server", limit=100))
    names = [image.name for image in listed.images]
    if names != ["sdk-python-server"] * 2:
        raise Failure(f"ListImages: name=sdk-python-server listed {names}, want it twice (v2 and v2.1)")
    emit(step="list", found=len(names))

    shown = client.glance_show_image(GlanceShowImageRequest(image_id=first))
    if shown.id != first or shown.status != "active":
        raise Failure(f"GlanceShowImage: got {shown.id} {shown.status}, want {first} active")
    emit(step="show", id=shown.id, name=shown.name, status=shown.status)

    updated = client.update_image(UpdateImageRequest(image_id=first, body=[
        UpdateImageRequestBody(op="replace", path="/name", value="sdk-python-renamed")]))
    if updated.name != "sdk-python-renamed":
        raise Failure(f"UpdateImage: name {updated.name}")
    emit(step="update", name=updated.name)

    client.batch_add_or_delete_tags(BatchAddOrDeleteTagsRequest(image_id=first, body=BatchAddOrDeleteTagsRequestBody(
        action="create", tags=[ResourceTag(key="stage", value="test")])))
    tags = client.list_image_tags(ListImageTagsRequest(image_id=first)).tags
    if not any(tag.key == "stage" and tag.value == "test" for tag in tags):
        raise Failure(f"ListImageTags: no stage=test among {tags}")
    client.batch_add_or_delete_tags(BatchAddOrDeleteTagsRequest(image_id=first, body=BatchAddOrDeleteTagsRequestBody(
        action="delete", tags=[ResourceTag(key="stage")])))
    tags = client.list_image_tags(ListImageTagsRequest(image_id=first)).tags
    if any(tag.key == "stage" for tag in tags):
        raise Failure(f"ListImageTags: stage still there after delete: {tags}")
    emit(step="tags", after_delete=[{"key": tag.key, "value": tag.value} for tag in tags])

    quota = client.show_image_quota(ShowImageQuotaRequest())
    used = next((resource.used for resource in quota.quotas.resources if resource.type == "image"), None)
    if used != len(image_ids):
        raise Failure(f"ShowImageQuota: image used {used}, want {len(image_ids)}: {quota}")
    emit(step="quota", used=used)

    for image_id in image_ids:
        client.glance_delete_image(GlanceDeleteImageRequest(image_id=image_id, body=GlanceDeleteImageRequestBody()))
    gone = expect_service_error("GlanceShowImage after delete",
                                lambda: client.glance_show_image(GlanceShowImageRequest(image_id=first)))
    if gone.status_code != 404:
        raise Failure(f"GlanceShowImage after delete: status {gone.status_code}, want 404")
    emit(step="deleted", count=len(image_ids), then_status=gone.status_code, then_code=gone.error_code)

    # A file image's min_disk is 40 to 1024: the SDK sends it as it is, and IMS refuses it.
    refusal = expect_service_error("CreateImage refused", lambda: client.create_image(CreateImageRequest(
        body=CreateImageRequestBody(name="sdk-python-refused", image_url="ims-image:centos70.qcow2", min_disk=1))))
    if refusal.status_code != 400 or not (refusal.error_code or "").startswith("IMG."):
        raise Failure(f"refusal: status {refusal.status_code} code {refusal.error_code!r}, want 400 IMG.*")
    emit(step="refused", status=refusal.status_code, code=refusal.error_code, message=refusal.error_msg,
         request_id=refusal.request_id)


class SecondsBackoff(BackoffStrategy):
    """The stub counts requests in one-second windows (APIG.0308's guidance: wait seconds); the SDK's strategies
    start at milliseconds and would spend their retries inside one window."""

    def calculate_retry_delay_millis(self, retries):
        return 400 * 2 ** retries


def throttle(client):
    """Two ways the SDK retries a 429: its invoker's with_retry (the SDK raises the 429 as a ClientRequestException
    whose error_code is "429", the body's APIG.0308 lost on the way through urllib3's RetryError), and the
    transport's own retry (HttpConfig.retry_times: urllib3 retries a 429 after the answer's Retry-After)."""
    attempts = 0
    throttled = []

    def retry_on_throttle(response, error):
        nonlocal attempts
        attempts += 1
        if isinstance(error, ServiceResponseException) and error.status_code == 429:
            throttled.append(error.error_code)
            return True
        return False

    for _ in range(3):
        client.list_images_invoker(ListImagesRequest(limit=1)).with_retry(
            retry_condition=retry_on_throttle, max_retries=5, backoff_strategy=SecondsBackoff()).invoke()
    if not throttled:
        raise Failure(f"throttle: {attempts} attempts and none was throttled: is the stub's rate limit on?")
    emit(step="throttle", calls=3, attempts=attempts, throttled_codes=throttled)

    config = HttpConfig.get_default_config()
    config.retry_times = 3
    transport_retrying = new_client(config)
    started = time.monotonic()
    for _ in range(3):
        transport_retrying.list_images(ListImagesRequest(limit=1))
    emit(step="throttle-transport", calls=3, seconds=round(time.monotonic() - started, 2))


def main():
    try:
        client = new_client()
        scenario = os.environ.get("IMS_SCENARIO")
        if scenario == "lifecycle":
            lifecycle(client)
        elif scenario == "throttle":
            throttle(client)
        else:
            raise Failure(f"IMS_SCENARIO must be lifecycle or throttle, not {scenario!r}")
    except Failure as failure:
        print(failure, file=sys.stderr)
        return 1
    except ServiceResponseException as error:
        print(f"unexpected {error.status_code} {error.error_code}: {error.error_msg} (request {error.request_id})", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
