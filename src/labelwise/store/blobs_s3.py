"""Media objects in an S3-compatible bucket (AWS S3, MinIO, Ceph, R2, ...), through boto3 (the ``s3`` extra).

``s3://bucket/prefix`` names the place; credentials come from boto3's usual chain (``AWS_ACCESS_KEY_ID`` /
``AWS_SECRET_ACCESS_KEY``, ``AWS_PROFILE``, the shared config files, an instance or container role). Reads
by browsers go straight to the bucket through presigned GET URLs, as Label Studio and CVAT do, so the
servers never carry media bytes and range requests are the bucket's own. With ``presign=False`` (a bucket
browsers cannot reach) the servers stream objects instead, passing one byte range through.
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from labelwise.errors import Invalid
from labelwise.store.blobs import CHUNK, RANGE, Download

MISSING = frozenset({"404", "NoSuchKey", "NotFound"})


def parse_url(url: str) -> tuple[str, str]:
    """(bucket, key prefix without slashes) of ``s3://bucket[/prefix]``."""
    parts = urlsplit(url)
    if parts.scheme != "s3" or not parts.netloc or parts.query or parts.fragment:
        raise Invalid(f"not an s3://bucket/prefix URL: {url!r}")
    return parts.netloc, parts.path.strip("/")


class S3Blobs:
    """Objects under ``prefix/`` in ``bucket``; presigned URLs valid for ``url_seconds`` (none: ``presign``
    False)."""

    remote = True

    def __init__(self, url: str, *, endpoint_url: str | None = None, region: str | None = None,
                 url_seconds: int = 3600, presign: bool = True) -> None:
        try:
            import boto3
            from botocore.config import Config
        except ImportError:  # pragma: no cover - boto3 is in the s3 extra
            raise Invalid("media in S3 needs boto3: pip install 'labelwise[s3]'") from None
        self.bucket, self.prefix = parse_url(url)
        self.url_seconds = url_seconds
        self.presign = presign
        # A custom endpoint (MinIO, a local test server) is addressed by path: bucket names are not hosts there.
        config = Config(signature_version="s3v4", retries={"mode": "standard"}, max_pool_connections=32,
                        s3={"addressing_style": "path"} if endpoint_url else {})
        self.client: Any = boto3.session.Session().client("s3", endpoint_url=endpoint_url, region_name=region,
                                                           config=config)

    def _key(self, name: str) -> str:
        return f"{self.prefix}/{name}" if self.prefix else name

    def exists(self, name: str) -> bool:
        from botocore.exceptions import ClientError

        try:
            self.client.head_object(Bucket=self.bucket, Key=self._key(name))
        except ClientError as exc:
            if str(exc.response.get("Error", {}).get("Code")) in MISSING:
                return False
            raise
        return True

    def save(self, name: str, source: Path, *, content_type: str) -> None:
        self.client.upload_file(str(source), self.bucket, self._key(name), ExtraArgs={"ContentType": content_type})

    def fetch(self, name: str, target: Path) -> bool:
        from botocore.exceptions import ClientError

        try:
            self.client.download_file(self.bucket, self._key(name), str(target))
        except ClientError as exc:
            if str(exc.response.get("Error", {}).get("Code")) in MISSING:
                return False
            raise
        return True

    def local(self, name: str) -> Path | None:
        return None

    def get(self, name: str, range_header: str | None) -> Download | None:
        from botocore.exceptions import ClientError

        header = (range_header or "").strip()
        extra = {"Range": header} if RANGE.fullmatch(header) and header != "bytes=-" else {}
        try:
            got = self.client.get_object(Bucket=self.bucket, Key=self._key(name), **extra)
        except ClientError as exc:
            code = str(exc.response.get("Error", {}).get("Code"))
            if code in MISSING:
                return None
            if code == "InvalidRange":
                size = exc.response.get("Error", {}).get("ActualObjectSize")
                return Download(416, 0, iter(()), f"bytes */{size}" if size else None)
            raise
        body = got["Body"]
        content_range = got.get("ContentRange")
        return Download(206 if content_range else 200, int(got["ContentLength"]), _chunks(body), content_range)

    def open(self, name: str) -> Any:
        """The object's body (botocore's ``StreamingBody``, a file object read from the connection)."""
        from botocore.exceptions import ClientError

        try:
            return self.client.get_object(Bucket=self.bucket, Key=self._key(name))["Body"]
        except ClientError as exc:
            if str(exc.response.get("Error", {}).get("Code")) in MISSING:
                return None
            raise

    def url(self, name: str, *, content_type: str, cache_control: str) -> str | None:
        if not self.presign:
            return None
        params = {"Bucket": self.bucket, "Key": self._key(name), "ResponseContentType": content_type,
                  "ResponseCacheControl": cache_control}
        return str(self.client.generate_presigned_url("get_object", Params=params, ExpiresIn=self.url_seconds))

    @cached_property
    def _origin(self) -> str | None:
        url = self.url("origin", content_type="text/plain", cache_control="no-store")
        return f"{urlsplit(url).scheme}://{urlsplit(url).netloc}" if url else None

    def origin(self) -> str | None:
        return self._origin


def _chunks(body: Any) -> Any:
    try:
        yield from body.iter_chunks(CHUNK)
    finally:
        body.close()
