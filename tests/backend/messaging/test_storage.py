"""Attachments on S3-compatible storage: the settings wiring, and files still served only by the
access-checked endpoint (moto's in-process S3 stands in for the bucket)."""

from __future__ import annotations

import boto3
import pytest
from moto import mock_aws

from backend.common.storage import S3, default_storage_from_env
from backend.messaging import services as messaging

from .test_files import PDF, Uploader

BUCKET = "preau-pieces-jointes"


def test_without_a_bucket_files_stay_on_the_local_disk():
    assert default_storage_from_env({}) == {
        "BACKEND": "django.core.files.storage.FileSystemStorage"
    }
    assert default_storage_from_env({"PREAU_S3_BUCKET": "  "})["BACKEND"].endswith(
        "FileSystemStorage"
    )


def test_a_bucket_and_an_endpoint_select_private_s3_storage():
    storage = default_storage_from_env(
        {
            "PREAU_S3_BUCKET": BUCKET,
            "PREAU_S3_ENDPOINT_URL": "https://s3.fr-par.scw.cloud",
            "PREAU_S3_REGION": "fr-par",
            "AWS_ACCESS_KEY_ID": "AKIA-TEST",
            "AWS_SECRET_ACCESS_KEY": "secret-test",
        }
    )
    assert storage["BACKEND"] == S3
    assert storage["OPTIONS"] == {
        "bucket_name": BUCKET,
        "location": "attachments",
        "default_acl": "private",
        "querystring_auth": True,
        "file_overwrite": False,
        "endpoint_url": "https://s3.fr-par.scw.cloud",
        "region_name": "fr-par",
        "access_key": "AKIA-TEST",
        "secret_key": "secret-test",
    }
    # Without keys in the environment, boto3's own chain (instance role, ~/.aws) is used.
    assert "access_key" not in default_storage_from_env({"PREAU_S3_BUCKET": BUCKET})["OPTIONS"]


@pytest.fixture
def s3_bucket(settings, monkeypatch):
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "eu-west-3",
    }.items():
        monkeypatch.setenv(name, value)
    with mock_aws():
        client = boto3.client("s3", region_name="eu-west-3")
        client.create_bucket(
            Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "eu-west-3"}
        )
        storage = default_storage_from_env(
            {"PREAU_S3_BUCKET": BUCKET, "PREAU_S3_REGION": "eu-west-3"}
        )
        settings.STORAGES = {**settings.STORAGES, "default": storage}
        yield client


@pytest.mark.django_db
def test_an_attachment_goes_to_the_bucket_and_is_streamed_only_to_readers(
    s3_bucket, room, alice, bob, outsider
):
    file = Uploader(alice).upload(room.pk, "budget.pdf", PDF).json()
    messaging.message_send(actor=alice, room_id=room.pk, body="Le budget", files=[file["id"]])

    objects = s3_bucket.list_objects_v2(Bucket=BUCKET)["Contents"]
    assert len(objects) == 1 and objects[0]["Key"].startswith("attachments/")
    assert "budget" not in objects[0]["Key"]  # a random key, never the uploader's name
    assert s3_bucket.get_object(Bucket=BUCKET, Key=objects[0]["Key"])["Body"].read() == PDF

    assert Uploader(outsider).get(file["url"]).status_code == 404
    download = Uploader(bob).get(file["url"])
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    assert download["Content-Disposition"].startswith("attachment")
    assert download["X-Content-Type-Options"] == "nosniff"
    assert "Location" not in download  # streamed, never a redirect to the bucket
    download.close()  # last: closing the response ends the request and its connection
