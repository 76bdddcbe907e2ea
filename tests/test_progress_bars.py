"""Progress bars of import-warc, reextract and export: on a terminal only, never in piped output."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from archive_helpers import article_html, write_cc_news_warc
from newsarchive.cli import main
from newsarchive.cli import progress as progress_module

STORY = "http://news.test/2024/05/"
LABELS = ("importing", "re-extracting", "exporting", "rebuilding")


@pytest.fixture
def terminal(monkeypatch):
    """stderr taken for a terminal: by our check, and by click's own (CliRunner's streams are not ttys)."""
    monkeypatch.setattr(progress_module, "is_terminal", lambda: True)
    monkeypatch.setattr("click._termui_impl.isatty", lambda stream: True)


@pytest.fixture
def warc(tmp_path):
    path = tmp_path / "news.warc.gz"
    write_cc_news_warc(path, [(f"{STORY}{n}.html", article_html(n, f"Story {n}").encode(), {}) for n in range(1, 6)])
    return path


def commands(warc, tmp_path) -> list[list[str]]:
    directory = str(tmp_path / "archive")
    return [
        ["import-warc", str(warc), "--workers", "1", "--dir", directory],
        ["reextract", "--workers", "1", "--dir", directory],
        ["export", "-o", str(tmp_path / "articles.jsonl"), "--dir", directory],
        ["export", "-o", "-", "--dir", directory],
    ]


def test_no_bar_when_stderr_is_not_a_terminal(warc, tmp_path):
    for args in commands(warc, tmp_path):
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 0, result.output
        assert not any(label in result.stderr for label in LABELS), result.stderr
        assert "\r" not in result.output and "%" not in result.stderr


def test_a_bar_with_its_total_on_a_terminal(warc, tmp_path, terminal):
    results = {}
    for args in commands(warc, tmp_path):
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 0, result.output
        results[args[0] + (" -" if "-" in args else "")] = result
    assert "importing" in results["import-warc"].stderr and "100%" in results["import-warc"].stderr
    assert "re-extracting" in results["reextract"].stderr and "5/5" in results["reextract"].stderr
    assert "exporting" in results["export"].stderr and "5/5" in results["export"].stderr
    # JSON lines on stdout stay clean: the bar is on stderr.
    piped = results["export -"]
    assert "5/5" in piped.stderr and len(piped.stdout.splitlines()) == 5


def test_a_rebuild_from_the_warcs_shows_a_bar_too(warc, tmp_path, terminal):
    directory = tmp_path / "archive"
    (directory / "warc").mkdir(parents=True)
    warc.rename(directory / "warc" / warc.name)
    result = CliRunner().invoke(main, ["reextract", "--workers", "1", "--dir", str(directory)])
    assert result.exit_code == 0, result.output
    assert "rebuilding" in result.stderr and "100%" in result.stderr
