"""Where uploaded files live: the local disk by default, S3-compatible storage when configured.

Files are always served by the access-checked download endpoint (streamed from the storage, with
``Content-Disposition: attachment`` and ``nosniff``); the bucket stays private and no public or
presigned URL is handed to browsers, whose headers the application could not control.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

FILESYSTEM = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
S3 = "storages.backends.s3.S3Storage"


def default_storage_from_env(env: Mapping[str, str]) -> dict[str, Any]:
    """The ``STORAGES["default"]`` entry for the environment ``env``.

    ``PREAU_S3_BUCKET`` switches to S3 (django-storages); ``PREAU_S3_ENDPOINT_URL`` points at an
    S3-compatible service (MinIO, Garage, Scaleway, OVHcloud…); credentials come from
    ``AWS_ACCESS_KEY_ID`` / ``AWS_SECRET_ACCESS_KEY`` or boto3's usual chain.
    """

    def get(name: str) -> str:
        return (env.get(name) or "").strip()

    bucket = get("PREAU_S3_BUCKET")
    if not bucket:
        return dict(FILESYSTEM)
    options: dict[str, Any] = {
        "bucket_name": bucket,
        "location": get("PREAU_S3_PREFIX") or "attachments",
        "default_acl": "private",
        "querystring_auth": True,
        "file_overwrite": False,
    }
    optional = {
        "endpoint_url": "PREAU_S3_ENDPOINT_URL",
        "region_name": "PREAU_S3_REGION",
        "access_key": "AWS_ACCESS_KEY_ID",
        "secret_key": "AWS_SECRET_ACCESS_KEY",
        "addressing_style": "PREAU_S3_ADDRESSING_STYLE",
    }
    for option, name in optional.items():
        if get(name):
            options[option] = get(name)
    return {"BACKEND": S3, "OPTIONS": options}
