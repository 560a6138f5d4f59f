"""Ingestion of hostile inputs: every bad file or JSONL line is one clear error, the rest is read,
and the text is exactly what the file holds (no mojibake, no newline translation)."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from kg.errors import InputError
from kg.ingest import decoding as ingest_decode
from kg.ingest import iter_inputs, iter_paths, iter_records, read_documents
from kg.records import Document

ROOT = Path(__file__).resolve().parent.parent
FRENCH = ("Le PDG de Hugging Face, Clément Delangue, s’inquiète des modèles chinois. "
          "« L’IA open source doit rester ouverte », a-t-il déclaré à Paris.")


def write(folder: Path, name: str, content: bytes | str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return path


def only_document(path: Path) -> Document:
    records = list(iter_records(path))
    assert len(records) == 1 and isinstance(records[0], Document), records
    return records[0]


def problem_of(path: Path) -> str:
    with pytest.raises(InputError) as info:
        list(read_documents(path))
    assert info.value.path == str(path)
    assert str(info.value).startswith(f"{path}: ")
    assert "\n" not in str(info.value)
    return info.value.problem


def documents_and_errors(inputs: list | str) -> tuple[list[Document], list[InputError]]:
    records = list(iter_inputs(inputs))
    docs = [r for r in records if isinstance(r, Document)]
    return docs, [r for r in records if isinstance(r, InputError)]


# -- plain text ---------------------------------------------------------------------


def test_text_file_gives_headline_text_and_language(tmp_path):
    path = write(tmp_path, "article.txt", f"Un titre\n\n{FRENCH}\n")
    doc = only_document(path)
    assert (doc.identifier, doc.source, doc.title, doc.lang) == ("article.txt", str(path), "Un titre", "fr")
    assert doc.text == f"Un titre\n\n{FRENCH}\n"


def test_markdown_headline_loses_its_hashes(tmp_path):
    doc = only_document(write(tmp_path, "a.md", f"\n# Mistral AI lève des fonds\n\n{FRENCH}"))
    assert doc.title == "Mistral AI lève des fonds"


def test_a_whole_article_on_one_line_is_not_a_headline(tmp_path):
    doc = only_document(write(tmp_path, "a.txt", FRENCH * 10))
    assert doc.title is None


def test_empty_file(tmp_path):
    assert problem_of(write(tmp_path, "empty.txt", b"")) == "empty file"


@pytest.mark.parametrize("name", ["blank.txt", "blank.md", "blank.jsonl", "blank.html"])
def test_whitespace_only(tmp_path, name):
    assert problem_of(write(tmp_path, name, " \n\t\r\n  \n")) == "no text (only whitespace)"


def test_byte_order_mark_alone_is_no_text(tmp_path):
    assert problem_of(write(tmp_path, "bom.txt", "\ufeff\n")) == "no text (only whitespace)"


# -- binary files and encodings -----------------------------------------------------


@pytest.mark.parametrize(("content", "kind"), [
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00", "PNG image"),
    (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\n", "PDF document"),
    (b"%PDF-1.4\n1 0 obj\n", "PDF document"),  # all ASCII: only the signature tells
    (b"PK\x03\x04\x14\x00\x06\x00", "ZIP archive or office document"),
    ("Un texte français\x00 avec un octet nul au milieu.".encode(), "contains NUL bytes"),
    (b"\x1b[31m\x01\x02\x03\x04 terminal \x05\x06\x07\x08\x0e\x0f", "control characters"),
])
def test_binary_file_is_refused(tmp_path, content, kind):
    assert problem_of(write(tmp_path, "photo.txt", content)) == f"binary file ({kind}), not text"


@pytest.mark.parametrize("codec", ["cp1252", "latin-1"])
def test_western_encoding_is_decoded_without_mojibake(tmp_path, codec):
    text = "Le café de la gare a fermé. Élève très âgé, où est-il ? Déjà l'été, dit-il."
    if codec == "cp1252":
        text = "L’IA générative: « café » €\n" + text
    doc = only_document(write(tmp_path, "ancien.txt", text.encode(codec)))
    assert doc.text == text
    assert "é" in doc.text and "Ã" not in doc.text
    if codec == "cp1252":
        assert "€" in doc.text and "’" in doc.text and "«" in doc.text


def test_latin9_is_told_from_windows_1252(tmp_path):
    text = "Le cœur de l'œuvre coûte 5 €, dit le président. Un œil sur l'Œdipe de la société."
    doc = only_document(write(tmp_path, "latin9.txt", text.encode("iso8859_15")))
    assert doc.text == text  # read as Windows-1252 it would say "c½ur" and "5 ¤"


@pytest.mark.parametrize(("text", "codec"), [
    ("Председатель правления компании заявил во вторник, что модель будет открытой.", "cp1251"),
    ("Zażółć gęślą jaźń. Pchnąć w tę łódź jeża lub ośm skrzyń fig.", "cp1250"),
    ("日本語のテキストです。これはテストです。", "shift_jis"),
])
def test_unsure_encoding_is_refused(tmp_path, text, codec):
    problem = problem_of(write(tmp_path, "autre.txt", text.encode(codec)))
    assert problem.startswith("not valid UTF-8 (byte 0x")
    assert problem.endswith("re-save it as UTF-8")


def test_confident_detection_that_would_give_mojibake_is_refused(tmp_path):
    # Central European French text: charset-normalizer is sure it is Windows-1252, which says "W³odzimierz".
    text = ("Le chercheur polonais Włodzimierz Wójcik, de l’université de Varsovie, a déclaré que le modele "
            "était prometteur. Selon lui, la société française a réalisé un travail remarquable cette année.")
    problem = problem_of(write(tmp_path, "cp1250.txt", text.encode("cp1250")))
    assert "read as Windows-1252 it does not look like French text (symbols inside words" in problem


def test_half_utf8_half_windows_1252_is_refused(tmp_path):
    path = write(tmp_path, "mixed.txt", "Le café est ".encode() + "très élevé.".encode("cp1252"))
    assert "mixed encodings" in problem_of(path)


@pytest.mark.parametrize("garbled", ["Le cafÃ© est bon.", "Il a dit quâ€™il viendrait."])
def test_mojibake_already_in_the_file_is_refused(tmp_path, garbled):
    problem = problem_of(write(tmp_path, "garbled.txt", f"{FRENCH}\n{garbled}"))
    assert problem.startswith("contains mojibake")


def test_utf8_byte_order_mark_is_kept_so_offsets_match_a_utf8_reader(tmp_path):
    path = write(tmp_path, "bom.txt", f"\ufeffLe titre\n{FRENCH}")
    doc = only_document(path)
    assert doc.text == path.read_text(encoding="utf-8")  # what the scorer reads
    assert doc.text[0] == "\ufeff" and doc.title == "Le titre"
    start = doc.text.index("Clément Delangue")
    assert doc.text[start:start + 16] == "Clément Delangue"


def test_utf16_with_byte_order_mark_is_decoded(tmp_path):
    text = f"\ufeffLe titre\n{FRENCH}"
    doc = only_document(write(tmp_path, "utf16.txt", text.encode("utf-16-le")))
    assert doc.text == text and doc.title == "Le titre"


@pytest.mark.parametrize("newline", ["\r\n", "\r"])
def test_line_endings_are_kept_as_read(tmp_path, newline):
    text = newline.join(["Le titre", "", FRENCH, "Fin."]) + newline
    path = write(tmp_path, "windows.txt", text)
    doc = only_document(path)
    assert doc.text == text  # read_text() would have turned them into "\n"
    assert path.read_text(encoding="utf-8") != text
    assert doc.title == "Le titre"
    start = text.index("Clément")
    assert doc.text[start:start + len("Clément Delangue")] == "Clément Delangue"


# -- size ----------------------------------------------------------------------------


def test_twenty_megabyte_article_is_read(tmp_path):
    paragraph = f"{FRENCH}\n"
    count = 20 * 1024 * 1024 // len(paragraph.encode())
    path = tmp_path / "long.txt"
    with path.open("w", encoding="utf-8") as stream:
        stream.write("Un très long article\n")
        for _ in range(count):
            stream.write(paragraph)
    doc = only_document(path)
    assert doc.title == "Un très long article" and doc.lang == "fr"
    assert len(doc.text) == len("Un très long article\n") + count * len(paragraph)


def test_over_the_size_limit_is_refused_without_reading(tmp_path):
    path = tmp_path / "huge.txt"
    with path.open("wb") as stream:
        stream.truncate(ingest_decode.MAX_BYTES + 1)  # sparse: no disk space used
    problem = problem_of(path)
    assert problem == "file too large: 52,428,801 bytes, over the limit of 52,428,800 bytes (50 MB); split it"


def test_size_limit_applies_to_every_format(tmp_path, monkeypatch):
    monkeypatch.setattr(ingest_decode, "MAX_BYTES", 100)
    path = write(tmp_path, "a.jsonl", json.dumps({"id": "a", "text": FRENCH}))
    assert problem_of(path).startswith("file too large")


# -- JSONL ---------------------------------------------------------------------------


def test_jsonl_bad_lines_are_reported_and_good_lines_kept(tmp_path):
    lines = [
        json.dumps({"id": "a", "text": FRENCH, "date": "2024-06-11"}),  # 1 good
        '{"id": "b", "text": "oops",',  # 2 broken
        "",  # 3 blank: skipped silently
        json.dumps({"id": "c"}),  # 4
        json.dumps({"id": "d", "text": 5}),  # 5
        json.dumps(["a", "list"]),  # 6
        json.dumps("a string"),  # 7
        json.dumps({"id": "a", "text": "Un autre texte."}),  # 8 duplicate
        json.dumps({"id": "e", "text": "   "}),  # 9
        json.dumps({"text": FRENCH}),  # 10
        json.dumps({"id": ["x"], "text": FRENCH}),  # 11
        json.dumps({"id": "f", "text": FRENCH, "title": 3}),  # 12
        json.dumps({"id": "g", "text": FRENCH, "date": "hier"}),  # 13
        json.dumps({"id": "h", "text": FRENCH, "lang": "français"}),  # 14
        json.dumps({"id": "i", "text": FRENCH, "title": "Titre", "url": "https://example.org/i"}),  # 15 good
    ]
    path = write(tmp_path, "mix.jsonl", "\n".join(lines) + "\n")
    records = list(iter_records(path))
    docs = [r for r in records if isinstance(r, Document)]
    errors = {r.line: r.problem for r in records if isinstance(r, InputError)}
    assert [(d.identifier, d.source) for d in docs] == [("a", f"{path}:1"), ("i", f"{path}:15")]
    assert (docs[0].date, docs[1].title, docs[1].url) == ("2024-06-11", "Titre", "https://example.org/i")
    assert errors == {
        2: "invalid JSON: Expecting property name enclosed in double quotes (column 28)",
        4: "missing field 'text'",
        5: "field 'text' must be a string, not a number",
        6: "a line must be a JSON object, not an array",
        7: "a line must be a JSON object, not a string",
        8: "duplicate id 'a' (first on line 1)",
        9: "field 'text': no text (only whitespace)",
        10: "missing field 'id'",
        11: "field 'id' must be a string, not an array",
        12: "field 'title' must be a string, not a number",
        13: "field 'date' must be an ISO 8601 date (2024-06-11) or date-time (2024-06-11T08:30:00+02:00), "
            "not 'hier'",
        14: "field 'lang' must be a language code such as 'fr', not 'français'",
    }
    assert str(next(r for r in records if isinstance(r, InputError))) == f"{path}:2: {errors[2]}"


def test_read_documents_raises_the_first_bad_record(tmp_path):
    path = write(tmp_path, "a.jsonl", "\n".join([json.dumps({"id": "a", "text": FRENCH}), "{", "["]))
    with pytest.raises(InputError) as info:
        list(read_documents(path))
    assert info.value.line == 2


def test_jsonl_line_separators_inside_strings_do_not_split_records(tmp_path):
    text = f"Premier paragraphe.\u2028Deuxième\u0085paragraphe.\x0c{FRENCH}"
    content = json.dumps({"id": "a", "text": text}, ensure_ascii=False) + "\n" + json.dumps({"id": "b"})
    records = list(iter_records(write(tmp_path, "seps.jsonl", content)))
    assert isinstance(records[0], Document) and records[0].text == text
    assert isinstance(records[1], InputError) and records[1].line == 2


def test_jsonl_with_crlf_and_byte_order_mark(tmp_path):
    content = "\ufeff" + "\r\n".join(json.dumps({"id": str(n), "text": FRENCH}) for n in range(3)) + "\r\n"
    docs = list(read_documents(write(tmp_path, "win.jsonl", content)))
    assert [d.identifier for d in docs] == ["0", "1", "2"]
    assert all(d.text == FRENCH for d in docs)


def test_jsonl_numeric_id_given_language_and_null_fields(tmp_path):
    english = "The chief executive said the company would release a new model."
    record = {"id": 42, "text": english, "lang": "fr", "title": None, "url": None}
    doc = next(read_documents(write(tmp_path, "a.jsonl", json.dumps(record))))
    assert (doc.identifier, doc.lang, doc.title, doc.url) == ("42", "fr", None, None)


def test_jsonl_lone_surrogate_and_mojibake_are_refused(tmp_path):
    lines = ['{"id": "a", "text": "Texte \\ud800 cassé, assez long pour compter."}',
             json.dumps({"id": "b", "text": "Le cafÃ© de la gare est fermé."}, ensure_ascii=False)]
    records = list(iter_records(write(tmp_path, "a.jsonl", "\n".join(lines))))
    assert [r.problem.split(" (")[0] for r in records if isinstance(r, InputError)] == [
        "field 'text': invalid character U+D800", "field 'text': contains mojibake"]


def test_jsonl_that_is_one_broken_document(tmp_path):
    path = write(tmp_path, "pretty.jsonl", json.dumps({"id": "a", "text": FRENCH}, indent=2))
    records = list(iter_records(path))
    assert records and all(isinstance(r, InputError) for r in records)
    assert records[0].line == 1


# -- HTML ----------------------------------------------------------------------------

ARTICLE_HTML = """<!DOCTYPE html>
<html lang="fr"><head><meta charset="utf-8">
<title>Mistral AI lève 600 millions d’euros | Le Journal</title>
<meta property="og:title" content="Mistral AI lève 600 millions d’euros">
<meta property="article:published_time" content="2024-06-11T08:30:00+02:00">
</head><body>
<header><nav><a href="/">Accueil</a> <a href="/tech">Tech</a></nav></header>
<div id="cookie-banner">Nous utilisons des cookies. <button>Accepter</button></div>
<main><article>
<h1>Mistral AI lève 600 millions d’euros</h1>
<time datetime="2024-06-11">11 juin 2024</time>
<p>La start-up française Mistral AI a annoncé mardi une levée de fonds de 600 millions d’euros.</p>
<p>« Nous voulons construire des modèles ouverts et performants », a déclaré Arthur Mensch, le PDG.</p>
<p>Fondée en 2023 par Arthur Mensch, Guillaume Lample et Timothée Lacroix, la société développe Mixtral.</p>
</article></main>
<footer>© 2024 Le Journal — Tous droits réservés. Mentions légales.</footer>
</body></html>
"""


def test_html_article_gives_title_date_and_paragraphs(tmp_path):
    doc = only_document(write(tmp_path, "mistral.html", ARTICLE_HTML))
    assert doc.title == "Mistral AI lève 600 millions d’euros"
    assert doc.date == "2024-06-11"
    assert doc.lang == "fr"
    assert "a déclaré Arthur Mensch, le PDG." in doc.text
    assert "Fondée en 2023 par Arthur Mensch" in doc.text
    assert "cookies" not in doc.text and "Mentions légales" not in doc.text and "Accueil" not in doc.text


@pytest.mark.parametrize("body", [
    # a banner marked as such: trafilatura drops it and finds nothing
    '<div id="cookie-banner" class="cookie-consent"><p>Nous utilisons des cookies pour mesurer '
    "l’audience.</p><button>Tout accepter</button></div>",
    # a banner in a plain paragraph: trafilatura keeps it, ingestion recognises it
    "<p>Nous utilisons des cookies et des technologies similaires pour mesurer l’audience de notre site et "
    "personnaliser les publicités. En cliquant sur « Tout accepter », vous consentez à ces usages.</p>"
    "<button>Tout accepter</button><button>Tout refuser</button>",
])
def test_html_with_only_a_cookie_banner_has_no_article_text(tmp_path, body):
    path = write(tmp_path, "consent.html", f'<html lang="fr"><head><title>Le Journal</title></head>'
                                           f"<body>{body}</body></html>")
    assert problem_of(path).startswith("no article text found in the HTML")


def test_short_news_about_cookies_is_not_a_banner(tmp_path):
    html = ("<html><body><article><h1>La CNIL sanctionne Google</h1><p>La CNIL a infligé mardi une amende "
            "de 150 millions d’euros à Google, à qui elle reproche de ne pas laisser refuser les cookies "
            "aussi facilement que de les accepter.</p></article></body></html>")
    assert "refuser les cookies" in only_document(write(tmp_path, "cnil.html", html)).text


@pytest.mark.parametrize("html", ["<<<>>>", "<html></html>", "<div>" * 20000 + "x" + "</div>" * 20000])
def test_html_that_is_not_an_article(tmp_path, html):
    assert problem_of(write(tmp_path, "x.htm", html)).startswith("no article text found in the HTML")


# -- language and awkward text -------------------------------------------------------


@pytest.mark.parametrize(("text", "lang"), [
    ("The chief executive of OpenAI said on Tuesday that the company would release a new open model.", "en"),
    ("Der Vorstandsvorsitzende von OpenAI sagte am Dienstag, dass das Unternehmen ein neues Modell "
     "veröffentlichen werde.", "de"),
    (FRENCH, "fr"),
    ("OpenAI, GPT-5.", None),  # too short to tell
])
def test_language_is_detected_and_other_languages_are_still_read(tmp_path, text, lang):
    assert only_document(write(tmp_path, "a.txt", text)).lang == lang


def test_awkward_names_do_not_break_ingestion(tmp_path):
    long_name = "Jean-" + "Baptiste-" * 33 + "Dupont"
    text = (f"Sam « The Man » \"O'Brien\" Altman 🤖🚀 a rencontré محمد بن سلمان et אברהם כהן. "
            f"{long_name} aussi.\n{FRENCH}")
    doc = only_document(write(tmp_path, "l’article « IA » 🤖.txt", text))
    assert doc.text == text and doc.identifier == "l’article « IA » 🤖.txt"
    assert len(long_name) >= 300 and long_name in doc.text
    record = {"id": "🤖 \"quoted\" محمد", "text": text, "title": "🤖"}
    jdoc = next(read_documents(write(tmp_path, "a.jsonl", json.dumps(record))))
    assert (jdoc.identifier, jdoc.text, jdoc.title) == (record["id"], text, "🤖")


def test_file_name_that_is_not_utf8_is_refused(tmp_path):
    raw = os.path.join(os.fsencode(tmp_path), b"caf\xe9.txt")
    with open(raw, "wb") as stream:
        stream.write(FRENCH.encode())
    docs, errors = documents_and_errors([tmp_path])
    assert docs == [] and len(errors) == 1
    assert errors[0].problem == "the file name is not valid UTF-8; rename the file"


# -- files and folders ---------------------------------------------------------------


def test_symlink_loop_is_walked_once(tmp_path):
    write(tmp_path, "corpus/a.txt", FRENCH)
    write(tmp_path, "corpus/sub/b.txt", FRENCH)
    os.symlink("..", tmp_path / "corpus" / "sub" / "loop")  # sub/loop -> corpus
    os.symlink(tmp_path / "corpus" / "a.txt", tmp_path / "corpus" / "sub" / "again.txt")
    paths = list(iter_paths([tmp_path / "corpus", tmp_path / "corpus" / "a.txt"]))
    assert sorted(p.resolve().name for p in paths) == ["a.txt", "b.txt"]


def test_folder_skips_other_types_and_hidden_entries_but_explicit_files_are_checked(tmp_path):
    write(tmp_path, "c/a.txt", FRENCH)
    write(tmp_path, "c/notes.pdf", b"%PDF-1.4")
    write(tmp_path, "c/data.json", "{}")
    write(tmp_path, "c/.hidden.txt", FRENCH)
    write(tmp_path, "c/.git/x.txt", FRENCH)
    write(tmp_path, "c/README", FRENCH)
    docs, errors = documents_and_errors([tmp_path / "c"])
    assert [d.identifier for d in docs] == ["a.txt"] and errors == []
    docs, errors = documents_and_errors([tmp_path / "c" / "notes.pdf", tmp_path / "c" / "README"])
    assert [e.problem for e in errors] == [
        "unsupported file type .pdf; use .txt, .md, .html or .jsonl",
        "unsupported file type (no extension); use .txt, .md, .html or .jsonl",
    ]


def test_missing_path_is_one_error_and_the_other_inputs_are_read(tmp_path):
    good = write(tmp_path, "a.txt", FRENCH)
    docs, errors = documents_and_errors([tmp_path / "nope", good, tmp_path / "nope.txt"])
    assert [d.identifier for d in docs] == ["a.txt"]
    assert [str(e) for e in errors] == [f"{tmp_path / 'nope'}: no such file or folder",
                                        f"{tmp_path / 'nope.txt'}: no such file or folder"]
    with pytest.raises(InputError, match="no such file or folder"):
        list(iter_paths([tmp_path / "nope"]))


def test_broken_symlink(tmp_path):
    os.symlink(tmp_path / "gone.txt", tmp_path / "link.txt")
    _, errors = documents_and_errors([tmp_path])
    assert [e.problem for e in errors] == ["broken symbolic link"]


def test_file_symlinked_to_itself_is_an_error_not_a_crash(tmp_path):
    write(tmp_path, "c/a.txt", FRENCH)
    os.symlink("self.txt", tmp_path / "c" / "self.txt")
    docs, errors = documents_and_errors([tmp_path / "c"])
    assert [d.identifier for d in docs] == ["a.txt"]
    assert [e.problem for e in errors] == ["cannot read: Too many levels of symbolic links"]


def test_control_characters_in_a_file_name_stay_on_one_line(tmp_path):
    write(tmp_path, "c/bad\nname\x1b.txt", b"")
    _, errors = documents_and_errors([tmp_path / "c"])
    assert [str(e) for e in errors] == [f"{tmp_path / 'c'}/bad\\nname\\x1b.txt: empty file"]


def test_one_path_need_not_be_in_a_list(tmp_path):
    write(tmp_path, "c/a.txt", FRENCH)
    assert [d.identifier for d in documents_and_errors(str(tmp_path / "c"))[0]] == ["a.txt"]


# Root reads any file whatever its mode; without these capabilities it is refused like anyone.
DROP_READ_PRIVILEGES = ["setpriv", "--bounding-set=-dac_override,-dac_read_search",
                        "--inh-caps=-dac_override,-dac_read_search", "--"]


def problem_without_privileges(path: Path) -> str:
    """The problem reading ``path`` reports, read for real in a process that cannot bypass file modes."""
    if os.geteuid() != 0:
        return problem_of(path)
    if not shutil.which("setpriv"):
        pytest.skip("running as root without setpriv: cannot make a file unreadable")
    code = "import sys; from kg.ingest import read_documents; list(read_documents(sys.argv[1]))"
    done = subprocess.run([*DROP_READ_PRIVILEGES, sys.executable, "-c", code, str(path)],
                          capture_output=True, text=True, cwd=ROOT, timeout=60)
    if "Operation not permitted" in done.stderr:
        pytest.skip("setpriv is not allowed here")
    assert done.returncode == 1
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith(f"kg.errors.InputError: {path}: ")
    return last.split(f"{path}: ", 1)[1]


def test_unreadable_file_for_real(tmp_path):
    path = write(tmp_path, "secret.txt", FRENCH)
    path.chmod(0)
    try:
        assert problem_without_privileges(path) == "permission denied"
    finally:
        path.chmod(stat.S_IRUSR | stat.S_IWUSR)


def test_unreadable_file(tmp_path, monkeypatch):
    path = write(tmp_path, "secret.txt", FRENCH)
    real_open = Path.open

    def refuse(self: Path, *args, **kwargs):
        if self.name == "secret.txt":
            raise PermissionError(13, "Permission denied", str(self))
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", refuse)
    assert problem_of(path) == "permission denied"


def test_unreadable_subfolder_is_reported_and_the_walk_goes_on(tmp_path, monkeypatch):
    write(tmp_path, "c/a.txt", FRENCH)
    write(tmp_path, "c/locked/b.txt", FRENCH)
    write(tmp_path, "c/z.txt", FRENCH)
    real_scandir = os.scandir

    def scandir(path=".", *args):
        if str(path).endswith("locked"):
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path, *args)

    monkeypatch.setattr(os, "scandir", scandir)
    docs, errors = documents_and_errors([tmp_path / "c"])
    assert [d.identifier for d in docs] == ["a.txt", "z.txt"]
    assert [str(e) for e in errors] == [f"{tmp_path / 'c' / 'locked'}: cannot read folder: Permission denied"]


def test_folder_named_like_a_file(tmp_path):
    folder = tmp_path / "article.txt"
    folder.mkdir()
    assert problem_of(folder) == "is a folder, not a file"
    write(folder, "inside.txt", FRENCH)  # given as an input, it is walked like any folder
    docs, _ = documents_and_errors([folder])
    assert [d.identifier for d in docs] == ["inside.txt"]


def test_named_pipe_is_refused_instead_of_waiting_forever(tmp_path):
    os.mkfifo(tmp_path / "pipe.txt")
    assert problem_of(tmp_path / "pipe.txt") == "not a regular file (a pipe, socket or device)"


def test_errors_come_in_place_and_the_rest_is_read(tmp_path):
    write(tmp_path, "c/1.txt", FRENCH)
    write(tmp_path, "c/2.txt", b"")
    write(tmp_path, "c/3.jsonl", json.dumps({"id": "x", "text": FRENCH}) + "\n{\n")
    write(tmp_path, "c/4.txt", b"\x89PNG\r\n\x1a\n\x00")
    write(tmp_path, "c/5.md", FRENCH)
    kinds = [(type(r).__name__, getattr(r, "identifier", None) or Path(r.path).name)
             for r in iter_inputs([tmp_path / "c"])]
    assert kinds == [("Document", "1.txt"), ("InputError", "2.txt"), ("Document", "x"),
                     ("InputError", "3.jsonl"), ("InputError", "4.txt"), ("Document", "5.md")]
