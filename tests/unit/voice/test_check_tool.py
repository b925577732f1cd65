"""``python -m voice.asr.check`` refuses what the gateway could not load."""

from __future__ import annotations

from pathlib import Path

import pytest

from voice.asr.check import main


def test_usage_without_arguments(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 2
    assert "MODEL_DIR" in capsys.readouterr().out


def test_a_folder_that_is_not_a_model(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "conf").mkdir()
    assert main([str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert "NOT USABLE" in out and "am/final.mdl" in out
