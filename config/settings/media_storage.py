"""Where uploaded media lives, read from the environment (one function, so tests build the same).

Local disk by default. With AWS_STORAGE_BUCKET_NAME set: S3-compatible storage through
django-storages, objects private, and every URL handed out signed (SigV4) and expiring after
AWS_QUERYSTRING_EXPIRE seconds, so a leaked link stops working and nothing is listable.
"""

from urllib.parse import urlsplit

import environ


def media_storage(env: environ.Env) -> dict:
    bucket = env.str("AWS_STORAGE_BUCKET_NAME", default="")
    if not bucket:
        return {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": bucket,
            "endpoint_url": env.str("AWS_S3_ENDPOINT_URL", default=None),
            "region_name": env.str("AWS_S3_REGION_NAME", default=None),
            "default_acl": "private",
            "querystring_auth": True,
            "querystring_expire": env.int("AWS_QUERYSTRING_EXPIRE", default=3600),
            # SigV2 is deprecated and not accepted by newer regions; presign with SigV4.
            "signature_version": "s3v4",
            "file_overwrite": False,
            "object_parameters": {"ContentDisposition": "inline"},
        },
    }


def media_origins(env: environ.Env) -> list[str]:
    """Where media images are loaded from, for the Content-Security-Policy's img-src."""
    if not env.str("AWS_STORAGE_BUCKET_NAME", default=""):
        return []  # served by this site
    endpoint = env.str("AWS_S3_ENDPOINT_URL", default="")
    if endpoint:
        parts = urlsplit(endpoint)
        return [f"{parts.scheme}://{parts.netloc}", f"{parts.scheme}://*.{parts.netloc}"]
    return ["https://*.amazonaws.com"]
