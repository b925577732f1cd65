"""The model download against a local HTTP server: whole, resumed, refused, unreachable."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from launcher.download import ChecksumMismatch, DownloadError, Progress, fetch
from launcher.supervisor import free_port
from tests.unit.launcher.model_server import Served, fake_vosk_zip, model_server

BODY = fake_vosk_zip(size=400_000)
SHA = hashlib.sha256(BODY).hexdigest()


def quiet() -> Progress:
    return Progress("model.zip", out=lambda line: None)


def test_a_download_is_verified_and_renamed_into_place(tmp_path: Path) -> None:
    lines: list[str] = []
    with model_server(Served(BODY)) as served:
        path = fetch(served.url, tmp_path / "m.zip", SHA, progress=Progress("model.zip", out=lines.append))
    assert path.read_bytes() == BODY and not (tmp_path / "m.zip.part").exists()
    assert served.ranges == [None]
    assert lines[-1].startswith("[models] downloading model.zip: 0.4/0.4 MB (100%)")


def test_a_dropped_connection_resumes_with_a_range_request(tmp_path: Path) -> None:
    with model_server(Served(BODY, cut_first=150_000)) as served:
        path = fetch(served.url, tmp_path / "m.zip", SHA, progress=quiet())
    assert path.read_bytes() == BODY
    assert served.ranges == [None, "bytes=150000-"]


def test_a_part_left_by_an_earlier_run_is_resumed(tmp_path: Path) -> None:
    (tmp_path / "m.zip.part").write_bytes(BODY[:123_456])
    with model_server(Served(BODY)) as served:
        fetch(served.url, tmp_path / "m.zip", SHA, progress=quiet())
    assert served.ranges == ["bytes=123456-"] and (tmp_path / "m.zip").read_bytes() == BODY


def test_a_server_that_ignores_ranges_restarts_from_zero(tmp_path: Path) -> None:
    (tmp_path / "m.zip.part").write_bytes(b"stale bytes of something else")
    with model_server(Served(BODY, honour_range=False)) as served:
        fetch(served.url, tmp_path / "m.zip", SHA, progress=quiet())
    assert (tmp_path / "m.zip").read_bytes() == BODY


def test_a_complete_part_is_not_downloaded_again(tmp_path: Path) -> None:
    (tmp_path / "m.zip.part").write_bytes(BODY)
    with model_server(Served(BODY)) as served:
        fetch(served.url, tmp_path / "m.zip", SHA, progress=quiet())
    assert served.ranges == [f"bytes={len(BODY)}-"] and (tmp_path / "m.zip").read_bytes() == BODY


def test_a_checksum_mismatch_deletes_the_bytes_and_never_renames(tmp_path: Path) -> None:
    tampered = BODY[:-1] + b"!"
    with model_server(Served(tampered)) as served, pytest.raises(ChecksumMismatch, match=SHA):
        fetch(served.url, tmp_path / "m.zip", SHA, progress=quiet())
    assert list(tmp_path.iterdir()) == []


def test_no_network_fails_at_once_and_says_so(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}/vosk-model-small-cn-0.22.zip"  # nothing listens there
    with pytest.raises(DownloadError, match=r"cannot reach 127\.0\.0\.1") as caught:
        fetch(url, tmp_path / "m.zip", SHA, progress=quiet())
    assert caught.value.offline and list(tmp_path.iterdir()) == []


def test_a_connection_that_keeps_dropping_keeps_the_part_for_the_next_run(tmp_path: Path) -> None:
    served = Served(BODY, cut_first=100_000)
    with model_server(served):
        with pytest.raises(DownloadError, match="run again to resume"):
            fetch(served.url, tmp_path / "m.zip", SHA, attempts=1, progress=quiet())
        assert (tmp_path / "m.zip.part").stat().st_size == 100_000
        fetch(served.url, tmp_path / "m.zip", SHA, progress=quiet())  # the next run
    assert served.ranges == [None, "bytes=100000-"] and (tmp_path / "m.zip").read_bytes() == BODY
