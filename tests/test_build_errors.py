"""Bad inputs during a build: one line each on stderr naming the file, the rest built (``--on-error
skip``) or nothing more done (``--on-error stop``), exit status 1, and the store never damaged.

The end-to-end tests run the real ``kg`` command with the French spaCy model (marked ``model``);
one build is shared by the module and copied by the tests that change things.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import kg
from kg.build import BuildReport, iter_documents
from kg.errors import InputError
from kg.stats import stats

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "data" / "sample"
GOOD_FILES = ("000_2d5abc28d2deef37.txt", "001_e2141a1fc9ec858b.txt")
FRENCH = "Arthur Mensch, le PDG de Mistral AI, a déclaré que l’entreprise publierait un nouveau modèle."
CP1252 = "L’IA générative : « café » à 5 €\nArthur Mensch, PDG de Mistral AI, a dit que l’été serait chaud."
CONSENT = ('<html lang="fr"><body><div id="cookie-banner"><p>Nous utilisons des cookies pour mesurer '
           "l’audience.</p><button>Tout accepter</button></div></body></html>")
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00"
JSONL_LINES = (json.dumps({"id": "dep-1", "text": FRENCH}, ensure_ascii=False), '{"id": "dep-2", "text": ',
               json.dumps({"id": "dep-3", "text": 5}))
# The bad inputs of the corpus, in the order the walk meets them, and what is said of each.
BAD = {
    "consent.html": "no article text found in the HTML (only a cookie or consent banner)",
    "dépêches.jsonl:2": "invalid JSON: Expecting value (column 25)",
    "dépêches.jsonl:3": "field 'text' must be a string, not a number",
    "empty.txt": "empty file",
    "photo.txt": "binary file (PNG image), not text",
}
GOOD_IDS = {*GOOD_FILES, "ancien.txt", "dep-1"}


def make_corpus(folder: Path) -> Path:
    folder.mkdir(parents=True)
    for name in GOOD_FILES:
        shutil.copy(SAMPLE / name, folder / name)
    (folder / "ancien.txt").write_bytes(CP1252.encode("cp1252"))
    (folder / "dépêches.jsonl").write_text("\n".join(JSONL_LINES) + "\n", encoding="utf-8")
    (folder / "empty.txt").write_bytes(b"")
    (folder / "photo.txt").write_bytes(PNG)
    (folder / "consent.html").write_text(CONSENT, encoding="utf-8")
    (folder / "notes.pdf").write_bytes(b"%PDF-1.4\n")  # another type in a folder: ignored silently
    (folder / "sub").mkdir()
    (folder / "sub" / "loop").symlink_to("..")  # the walk must not go round forever
    return folder


def kg_cli(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kg.cli", *map(str, args)], capture_output=True, text=True,
                          cwd=ROOT, timeout=600)


def summary(done: subprocess.CompletedProcess[str] | dict) -> str:
    stdout = done["stdout"] if isinstance(done, dict) else done.stdout
    return stdout.strip().splitlines()[-1]


def store_counts(store: Path) -> tuple[dict[str, int], int]:
    with kg.open_store(store, read_only=True) as opened:
        found = stats(opened)
    return found.counts, found.triples


def identifiers(store: Path) -> set[str]:
    sparql = ("SELECT ?id WHERE { ?d a <https://schema.org/NewsArticle> ; "
              "<https://schema.org/identifier> ?id }")
    with kg.open_store(store, read_only=True) as opened:
        return {row["id"].value for row in opened.query(sparql)}


def copy_built(built: dict[str, Path], tmp_path: Path) -> tuple[Path, Path]:
    corpus = shutil.copytree(built["corpus"], tmp_path / "corpus", symlinks=True)
    store = shutil.copytree(built["store"], tmp_path / "store", ignore=shutil.ignore_patterns("newskg.lock"))
    return Path(corpus), Path(store)


# -- the driver, without the model ------------------------------------------------------


def test_iter_documents_skips_bad_inputs_and_keeps_the_rest(tmp_path):
    corpus = make_corpus(tmp_path / "corpus")
    report = BuildReport()
    docs = list(iter_documents([corpus, tmp_path / "nope"], report, "skip"))
    assert {d.identifier for d in docs} == GOOD_IDS
    assert report.errors == [f"{corpus / where}: {problem}" for where, problem in BAD.items()] + [
        f"{tmp_path / 'nope'}: no such file or folder"]


def test_iter_documents_stops_at_the_first_bad_input(tmp_path):
    corpus = make_corpus(tmp_path / "corpus")
    report = BuildReport()
    with pytest.raises(InputError) as info:
        list(iter_documents([corpus], report, "stop"))
    first = next(iter(BAD.items()))
    assert str(info.value) == f"{corpus / first[0]}: {first[1]}"
    assert report.errors == [str(info.value)]


def test_build_of_bad_inputs_only_reports_them_without_loading_the_model(tmp_path):
    (tmp_path / "empty.txt").write_bytes(b"")
    report = kg.build([tmp_path / "empty.txt", tmp_path / "nope"], tmp_path / "store")
    assert (report.analysed, report.unchanged, report.ok) == (0, 0, False)
    assert report.errors == [f"{tmp_path / 'empty.txt'}: empty file",
                             f"{tmp_path / 'nope'}: no such file or folder"]


@pytest.mark.parametrize("on_error", ["skip", "stop"])
def test_missing_path_is_one_line_on_stderr(tmp_path, on_error):
    done = kg_cli("build", tmp_path / "nope", "--store", tmp_path / "store", "--on-error", on_error)
    assert done.returncode == 1
    label = "skipped" if on_error == "skip" else "error"
    expected = f"kg build: {label}: {tmp_path / 'nope'}: no such file or folder"
    assert done.stderr.strip().splitlines() == [expected]


# -- the kg command, with the model -----------------------------------------------------


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict[str, Path]:
    """A store built once from a corpus mixing good and bad inputs; tests copy what they change."""
    base = tmp_path_factory.mktemp("built")
    corpus, store = make_corpus(base / "corpus"), base / "store"
    done = kg_cli("build", corpus, "--store", store)
    return {"corpus": corpus, "store": store, "returncode": done.returncode, "stdout": done.stdout,
            "stderr": done.stderr}


@pytest.mark.model
def test_skip_builds_the_good_articles_and_names_each_bad_input(built):
    corpus = built["corpus"]
    assert built["returncode"] == 1, built["stderr"]
    assert "Traceback" not in built["stderr"]
    skipped = [line for line in built["stderr"].splitlines() if line.startswith("kg build: skipped: ")]
    assert skipped == [f"kg build: skipped: {corpus / where}: {problem}" for where, problem in BAD.items()]
    assert summary(built) == f"built {built['store']}: 4 analysed, 0 unchanged, 5 skipped"
    assert identifiers(built["store"]) == GOOD_IDS


@pytest.mark.model
def test_windows_1252_article_reaches_the_graph_without_mojibake(built):
    sparql = ('SELECT ?h WHERE { ?d <https://schema.org/identifier> "ancien.txt" ; '
              "<https://schema.org/headline> ?h }")
    with kg.open_store(built["store"], read_only=True) as opened:
        headlines = [row["h"].value for row in opened.query(sparql)]
    assert headlines == ["L’IA générative : « café » à 5 €"]


@pytest.mark.model
def test_stop_halts_at_the_first_bad_input_with_one_line(built, tmp_path):
    corpus, store = copy_built(built, tmp_path)
    before = store_counts(store)
    done = kg_cli("build", corpus, "--store", store, "--on-error", "stop")
    assert done.returncode == 1
    where, problem = next(iter(BAD.items()))
    assert done.stderr.strip().splitlines() == [f"kg build: error: {corpus / where}: {problem}"]
    assert store_counts(store) == before


@pytest.mark.model
def test_failing_runs_leave_the_built_store_intact(built, tmp_path):
    corpus, store = copy_built(built, tmp_path)
    before = store_counts(store)
    bad_inputs = [corpus / "empty.txt", corpus / "photo.txt", corpus / "consent.html", tmp_path / "nope"]
    done = kg_cli("build", *bad_inputs, "--store", store)
    assert (done.returncode, summary(done)) == (1, f"built {store}: 0 analysed, 0 unchanged, 4 skipped")
    assert kg_cli("build", *bad_inputs, "--store", store, "--on-error", "stop").returncode == 1
    assert store_counts(store) == before
    done = kg_cli("build", corpus, "--store", store)  # the same corpus again: nothing to redo
    assert (done.returncode, summary(done)) == (1, f"built {store}: 0 analysed, 4 unchanged, 5 skipped")
    assert store_counts(store) == before
    assert identifiers(store) == GOOD_IDS


@pytest.mark.model
def test_rerun_after_fixing_builds_only_the_fixed_file(built, tmp_path):
    corpus, store = copy_built(built, tmp_path)
    (corpus / "empty.txt").write_text(f"Mistral publie un modèle\n{FRENCH}\n", encoding="utf-8")
    (corpus / "dépêches.jsonl").write_text(JSONL_LINES[0] + "\n", encoding="utf-8")
    (corpus / "photo.txt").unlink()
    (corpus / "consent.html").unlink()
    done = kg_cli("build", corpus, "--store", store)
    assert done.returncode == 0, done.stderr
    assert summary(done) == f"built {store}: 1 analysed, 4 unchanged, 0 skipped"
    assert identifiers(store) == {*GOOD_IDS, "empty.txt"}
