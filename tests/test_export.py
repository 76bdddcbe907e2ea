"""newsarchive export: the files load unchanged with pandas, DuckDB and Hugging Face datasets."""

from __future__ import annotations

import csv
import json
from datetime import datetime, timezone

import pytest
from click.testing import CliRunner

from newsarchive.cli import main
from newsarchive.jobs.export import FIELDS, SCHEMA_VERSION

NAMES = [f.name for f in FIELDS]


@pytest.fixture(scope="module")
def archive(crawled_site):
    return crawled_site.directory


def crawled_site_url(archive):
    import sqlite3

    with sqlite3.connect(archive / "news.db") as conn:
        return json.loads(conn.execute("SELECT start_urls FROM crawls").fetchone()[0])[0]


def run(*args):
    result = CliRunner().invoke(main, ["export", *map(str, args)])
    return result


@pytest.fixture(scope="module")
def exported(archive, tmp_path_factory):
    folder = tmp_path_factory.mktemp("export")
    for name in ("articles.parquet", "articles.jsonl", "articles.csv"):
        result = run("-o", folder / name, "--dir", archive)
        assert result.exit_code == 0, result.output
    return folder


def test_parquet_has_typed_lists_and_timestamps(exported):
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pq.read_table(exported / "articles.parquet")
    assert table.schema.names == NAMES
    assert table.schema.field("authors").type == pa.list_(pa.string())
    assert table.schema.field("fetched_at").type == pa.timestamp("us", tz="UTC")
    assert table.schema.metadata[b"newsarchive.schema_version"] == SCHEMA_VERSION.encode()
    assert table.num_rows == 5


def test_pandas_reads_each_format(exported):
    import pandas as pd

    frame = pd.read_parquet(exported / "articles.parquet")
    assert list(frame.columns) == NAMES and len(frame) == 5
    assert str(frame["fetched_at"].dtype).startswith("datetime64") and frame["fetched_at"].dt.tz is not None
    assert all(isinstance(list(v), list) for v in frame["authors"])
    lines = pd.read_json(exported / "articles.jsonl", lines=True)
    assert len(lines) == 5 and all(isinstance(v, list) for v in lines["authors"])
    table = pd.read_csv(exported / "articles.csv")
    assert len(table) == 5 and all(isinstance(json.loads(v), list) for v in table["tags"])


def test_duckdb_queries_the_parquet_file(exported):
    import duckdb

    path = str(exported / "articles.parquet")
    db = duckdb.connect()
    assert db.execute(f"SELECT count(*) FROM '{path}' WHERE len(authors) >= 0").fetchall() == [(5,)]
    kind = db.execute(f"SELECT typeof(fetched_at), typeof(tags) FROM '{path}' LIMIT 1").fetchall()[0]
    assert kind == ("TIMESTAMP WITH TIME ZONE", "VARCHAR[]")


@pytest.mark.parametrize("builder, name", [("parquet", "articles.parquet"), ("json", "articles.jsonl")])
def test_hugging_face_datasets_loads_lists_as_sequences(exported, tmp_path, monkeypatch, builder, name):
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    datasets = pytest.importorskip("datasets")
    loaded = datasets.load_dataset(builder, data_files=str(exported / name), split="train",
                                   cache_dir=str(tmp_path / "hf"))
    assert loaded.num_rows == 5
    assert isinstance(loaded[0]["authors"], list) and isinstance(loaded[0]["tags"], list)
    feature = loaded.features["authors"]
    inner = getattr(feature, "feature", None) or feature[0]  # List(Value) or [Value], by datasets version
    assert inner.dtype == "string"


def test_hugging_face_loads_the_folder_through_the_card(exported, tmp_path, monkeypatch):
    # The card's front matter names the data file, so load_dataset(FOLDER) reads it (the last export's).
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    datasets = pytest.importorskip("datasets")
    loaded = datasets.load_dataset(str(exported), split="train", cache_dir=str(tmp_path / "hf"))
    assert loaded.num_rows == 5


def test_jsonl_to_stdout_with_filters(archive):
    result = run("-o", "-", "--min-words", "1", "--site", "127.0.0.1", "--dir", archive)
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(rows) == 5 and list(rows[0]) == NAMES
    assert all(isinstance(row["authors"], list) for row in rows)
    datetime.fromisoformat(rows[0]["fetched_at"])  # dates are ISO 8601 text in JSON


def test_filters_narrow_the_export(archive, tmp_path):
    assert run("-o", tmp_path / "none.jsonl", "--min-words", 100000, "--dir", archive).exit_code == 0
    assert (tmp_path / "none.jsonl").read_text() == ""
    assert run("-o", tmp_path / "later.jsonl", "--since", "2999-01-01", "--dir", archive).exit_code == 0
    assert (tmp_path / "later.jsonl").read_text() == ""
    result = run("-o", tmp_path / "today.jsonl", "--until", f"{datetime.now(timezone.utc):%Y-%m-%d}", "--dir", archive)
    assert result.exit_code == 0 and len((tmp_path / "today.jsonl").read_text().splitlines()) == 5


def test_dataset_card_says_what_how_many_where_when_which(exported, archive):
    card = (exported / "README.md").read_text()
    assert card.startswith("---\nconfigs:")
    assert "**5 news articles**" in card and str(archive.resolve()) in card
    sites = {}
    for line in (exported / "articles.jsonl").read_text().splitlines():
        site = json.loads(line)["site"]
        sites[site] = sites.get(site, 0) + 1
    for site, count in sites.items():
        assert f"| {site} | {count} |" in card
    assert "- Fetched: 20" in card
    site_url = crawled_site_url(archive)
    assert f"- <{site_url}>" in card  # where the crawl started
    for name in NAMES:
        assert f"| `{name}` |" in card
    assert f"schema version {SCHEMA_VERSION}" in card


def test_a_readme_of_the_user_is_not_overwritten(archive, tmp_path):
    (tmp_path / "README.md").write_text("my notes\n")
    result = run("-o", tmp_path / "a.jsonl", "--dir", archive)
    assert result.exit_code == 0
    assert (tmp_path / "README.md").read_text() == "my notes\n"
    assert (tmp_path / "a.jsonl.README.md").exists()


@pytest.mark.parametrize("args, message", [
    (["-o", "corpus.txt"], "cannot tell the format"),
    (["-o", "-", "--format", "parquet"], "Parquet needs a file"),
    (["-o", "x.jsonl", "--since", "yesterday"], "Invalid value for '--since'"),
])
def test_user_mistakes_get_one_line(archive, tmp_path, monkeypatch, args, message):
    monkeypatch.chdir(tmp_path)
    result = run(*args, "--dir", archive)
    assert result.exit_code != 0 and message in result.output and "Traceback" not in result.output


def test_no_archive_is_a_clear_error(tmp_path):
    result = run("-o", tmp_path / "a.jsonl", "--dir", tmp_path / "nowhere")
    assert result.exit_code == 1 and "no archive database" in result.output


def test_csv_round_trips_text_with_newlines_and_quotes(archive, tmp_path):
    assert run("-o", tmp_path / "a.csv", "--dir", archive).exit_code == 0
    with open(tmp_path / "a.csv", newline="", encoding="utf-8") as stream:
        rows = list(csv.DictReader(stream))
    expected = [json.loads(line) for line in run("-o", "-", "--dir", archive).stdout.splitlines()]
    assert [r["text"] for r in rows] == [r["text"] for r in expected]
    assert any("\n" in r["text"] for r in rows)
