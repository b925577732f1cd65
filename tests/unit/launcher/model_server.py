"""A local HTTP server for model-download tests (stdlib): Range requests, dropped connections."""

from __future__ import annotations

import http.server
import io
import re
import threading
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Served:
    """What the server sends, and what it saw."""

    body: bytes
    cut_first: int | None = None  # the first response stops after this many bytes (a dropped line)
    honour_range: bool = True
    ranges: list[str | None] = field(default_factory=list)  # the Range header of every request
    name: str = "vosk-model-small-cn-0.22.zip"
    port: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/{self.name}"


def _handler(served: Served) -> type[http.server.BaseHTTPRequestHandler]:
    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            return None

        def do_GET(self) -> None:
            wanted = self.headers.get("Range")
            served.ranges.append(wanted)
            body, start = served.body, 0
            match = re.fullmatch(r"bytes=(\d+)-", wanted or "")
            if match and served.honour_range:
                start = int(match.group(1))
                if start >= len(body):
                    self.send_response(416)
                    self.send_header("Content-Range", f"bytes */{len(body)}")
                    self.end_headers()
                    return
                self.send_response(206)
                self.send_header("Content-Range", f"bytes {start}-{len(body) - 1}/{len(body)}")
            else:
                self.send_response(200)
            self.send_header("Content-Length", str(len(body) - start))
            self.end_headers()
            chunk = body[start:]
            if served.cut_first is not None and len(served.ranges) == 1:
                chunk = chunk[: served.cut_first]  # then the connection closes early
            self.wfile.write(chunk)

    return Handler


@contextmanager
def model_server(served: Served) -> Iterator[Served]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _handler(served))
    served.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield served
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def fake_vosk_zip(name: str = "vosk-model-small-cn-0.22", size: int = 300_000) -> bytes:
    """A zip laid out like a Vosk model (the files check_model_dir looks for), ``size`` bytes of filler."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as zf:
        for member in ("am/final.mdl", "conf/mfcc.conf", "conf/model.conf", "graph/HCLr.fst"):
            zf.writestr(f"{name}/{member}", b"x")
        zf.writestr(f"{name}/graph/words.txt", bytes(range(256)) * (size // 256))
    return buffer.getvalue()


def zip_folder(folder: Path, name: str) -> bytes:
    """A real model folder as the published archives are laid out (``name/...``)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as zf:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                zf.write(path, f"{name}/{path.relative_to(folder)}")
    return buffer.getvalue()
