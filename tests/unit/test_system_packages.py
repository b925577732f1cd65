"""scripts/system_packages.sh: `make test` names what is missing in one line, never skips it."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "system_packages.sh"
TOOLS = ("pg_ctl", "redis-server", "nginx", "espeak-ng", "sox", "chromium", "chromedriver")


def run_with(tools: tuple[str, ...], bin_dir: Path) -> subprocess.CompletedProcess[str]:
    """Run the check with a PATH holding only fake ``tools`` (and no apt-get)."""
    bin_dir.mkdir()
    for tool in tools:
        fake = bin_dir / tool
        fake.write_text("#!/bin/sh\nexit 0\n")
        fake.chmod(0o755)
    bash = shutil.which("bash")
    assert bash is not None
    return subprocess.run(
        [bash, str(SCRIPT)], env={"PATH": str(bin_dir), "SYSTEM_PACKAGES": "check"},
        capture_output=True, text=True, timeout=30, check=False,
    )


def test_all_tools_present_passes(tmp_path: Path) -> None:
    result = run_with(TOOLS, tmp_path / "bin")
    assert result.returncode == 0, result.stderr
    assert "all present" in result.stdout


def test_missing_tools_stop_with_one_line_naming_the_packages(tmp_path: Path) -> None:
    result = run_with(("pg_ctl", "espeak-ng", "chromium"), tmp_path / "bin")
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "sox" in lines[0] and "chromium-driver" in lines[0]
    assert "espeak-ng" not in lines[0].split("(")[0]
