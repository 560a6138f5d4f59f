"""The interactive view: graph content, filters, one offline HTML file, and a real browser.

Browser tests drive headless Chromium with the network cut (every request goes to a
dead proxy), so a page that needed a CDN would not draw. The page writes
``data-kg-nodes`` on ``<body>`` once vis-network has drawn; ``--dump-dom`` reads it.
"""

from __future__ import annotations

import re
import struct
import subprocess
import zlib
from pathlib import Path

import pytest
from conftest import CHROMIUM_FLAGS, RUN, _entity, _span_of, chromium, extraction_graph

from kg.errors import ExportError, FocusError, ViewError
from kg.records import Claim, Document, Extraction, Relation
from kg.store import open_store
from kg.viz import ViewSummary, fold, parse_types, render_view, safe_json, view_graph

ID = "https://w3id.org/newskg/id/"
DELANGUE, CHAUMOND = ID + "person/clement-delangue", ID + "person/julien-chaumond"
WOLF = ID + "person/thomas-wolf"
HF, ALIBABA, QWQ = ID + "org/hugging-face", ID + "org/alibaba", ID + "model/qwq-32b"
ALL = {DELANGUE, CHAUMOND, WOLF, HF, ALIBABA, QWQ}
NAMES = ("Clément Delangue", "Julien Chaumond", "Thomas Wolf", "Hugging Face", "Alibaba", "QwQ-32B")

# A script or stylesheet fetched from the network, in any quoting.
REMOTE_REF = re.compile(r"""<(script|link|img|iframe)\b[^>]*\b(src|href)\s*=\s*["']?\s*(https?:)?//""", re.I)


@pytest.fixture
def tiny(tiny_store_path):
    with open_store(tiny_store_path, read_only=True) as store:
        yield store


def _render(store, path: Path, **kwargs) -> tuple[ViewSummary, str]:
    summary = render_view(store, path, **kwargs)
    return summary, path.read_text(encoding="utf-8")


# -- the graph -----------------------------------------------------------------------------

def test_view_graph_has_entities_relations_and_claims(tiny):
    g = view_graph(tiny)
    assert set(g.nodes) == ALL
    d = g.nodes[DELANGUE]
    assert (d["name"], d["type"], d["alt_names"]) == ("Clément Delangue", "Person", ("Delangue",))
    assert d["mentions"] == 3
    assert g.nodes[QWQ]["type"] == "AIModel" and g.nodes[HF]["type"] == "Organization"
    kinds = sorted((s, o, e["kind"], e["label"]) for s, o, e in g.edges(data=True))
    assert kinds == sorted([
        (DELANGUE, HF, "worksFor", "PDG"),
        (DELANGUE, HF, "claim", "inquiétude"),
        (QWQ, ALIBABA, "creator", "développeur"),
        (HF, DELANGUE, "founder", "fondateur"),
        (HF, CHAUMOND, "founder", "fondateur"),
        (HF, WOLF, "founder", "fondateur"),
    ])
    role = g.edges[DELANGUE, HF, "worksFor:PDG"]
    assert role["evidence"] == (("Le PDG de Hugging Face, Clément Delangue, s'inquiète des modèles chinois.",
                                 "a.txt"),)
    assert role["confidence"] == pytest.approx(0.9)
    assert g.edges[DELANGUE, HF, "claim:inquiétude"]["stance"] == "concern"
    # The prediction is about no entity: it annotates the speaker instead of drawing a self-loop.
    assert d["claims"] == (("prediction", "Delangue a prédit que la Chine dominera l'IA.", "a.txt"),)
    assert not any(s == o for s, o in g.edges())


def test_focus_is_case_and_accent_insensitive_and_depth_bounds_it(tiny):
    assert set(view_graph(tiny, focus="  DELANGUE ", depth=0)) == {DELANGUE}
    assert set(view_graph(tiny, focus="clement delangue", depth=1)) == {DELANGUE, HF}
    assert set(view_graph(tiny, focus="Clément Delangue", depth=2)) == {DELANGUE, HF, CHAUMOND, WOLF}
    assert set(view_graph(tiny, focus="qwq-32b")) == {QWQ, ALIBABA}
    assert set(view_graph(tiny, focus=HF, depth=1)) == {HF, DELANGUE, CHAUMOND, WOLF}
    assert fold("  Clément   DELANGUE") == "clement delangue"


def test_types_filter_nodes_and_keep_edges_between_kept_ones(tiny):
    people = view_graph(tiny, types=["Person"])
    assert set(people) == {DELANGUE, CHAUMOND, WOLF} and people.number_of_edges() == 0
    non_people = view_graph(tiny, types=["Organization", "AIModel"])
    assert set(non_people) == {HF, ALIBABA, QWQ}
    assert [e["kind"] for *_, e in non_people.edges(data=True)] == ["creator"]
    assert set(view_graph(tiny, types="person, org")) == ALL - {QWQ}
    assert parse_types(["AIMODEL", "model"]) == frozenset({"AIModel"})
    # Types are applied first; the focus itself always stays.
    hf_people = view_graph(tiny, focus="Hugging Face", depth=1, types=["Person"])
    assert set(hf_people) == {HF, DELANGUE, CHAUMOND, WOLF}
    assert set(view_graph(tiny, focus="Alibaba", types=["Person"])) == {ALIBABA}


def test_bad_arguments_raise_view_errors_naming_them(tiny, tmp_path):
    out = tmp_path / "view.html"
    with pytest.raises(FocusError, match="Sam Altman"):
        render_view(tiny, out, focus="Sam Altman")
    assert not out.exists()
    with pytest.raises(ViewError, match="Robot"):
        view_graph(tiny, types=["Person", "Robot"])
    with pytest.raises(ViewError, match="depth"):
        view_graph(tiny, focus="Alibaba", depth=-1)
    with pytest.raises(ViewError, match="min_confidence"):
        view_graph(tiny, min_confidence=1.5)
    with pytest.raises(ViewError, match="max_nodes"):
        render_view(tiny, out, max_nodes=0)
    assert not out.exists()


def test_min_confidence_drops_weaker_facts(tiny):
    g = view_graph(tiny, min_confidence=0.86)  # creator 0.85 and claims 0.80 go; mentions 0.90 stay
    assert set(g) == ALL
    assert sorted(e["kind"] for *_, e in g.edges(data=True)) == ["founder"] * 3 + ["worksFor"]
    assert g.nodes[DELANGUE]["claims"] == ()
    assert view_graph(tiny, min_confidence=0.95).number_of_nodes() == 0


def test_max_nodes_keeps_the_most_mentioned_and_says_so(tiny, tmp_path):
    summary, html = _render(tiny, tmp_path / "v.html", max_nodes=2)
    assert summary == ViewSummary(nodes=2, edges=3, reduced=True)  # Delangue (3), Hugging Face (2)
    assert set(view_graph(tiny, max_nodes=2)) == {DELANGUE, HF}
    assert 'id="kg-note"' in html and "Vue réduite : 2 entités affichées sur 6" in html
    assert set(view_graph(tiny, focus="Alibaba", max_nodes=1)) == {ALIBABA}  # the focus comes first
    _, full = _render(tiny, tmp_path / "full.html")
    assert 'id="kg-note"' not in full


# -- the page ------------------------------------------------------------------------------

def test_page_is_one_offline_file_with_legend_and_names(tiny, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # pyvis would write its lib/ folder into the working directory
    out_dir = tmp_path / "out"
    summary, html = _render(tiny, out_dir / "view.html")
    assert summary == ViewSummary(nodes=6, edges=6, reduced=False)
    assert sorted(p.name for p in out_dir.iterdir()) == ["view.html"]  # no lib/, no temp file left
    assert not (tmp_path / "lib").exists()
    assert not REMOTE_REF.search(html)
    assert "<script src" not in html and "<link" not in html
    for gone in ("cdnjs", "jsdelivr", "bootstrap", "tom-select", "sourceMappingURL"):
        assert gone not in html
    assert "vis.Network" in html and 'id="kg-legend"' in html
    for label in ("Personne", "Organisation", "Modèle d’IA", "inquiétude", "soutien", "critique",
                  "prédiction", "neutre", "fondateur", "développeur"):
        assert label in html
    for name in (*NAMES, "Delangue"):
        assert name in html
    # Evidence and article identifiers feed the tooltips.
    assert "s'inquiète des modèles chinois." in html and "Article a.txt" in html and "Article b.txt" in html


def test_same_store_gives_the_same_page(tiny, tmp_path):
    first = render_view(tiny, tmp_path / "1.html")
    second = render_view(tiny, tmp_path / "2.html")
    assert first == second
    assert (tmp_path / "1.html").read_bytes() == (tmp_path / "2.html").read_bytes()


def test_a_focused_page_is_the_same_in_every_process(tiny_store_path, tmp_path):
    """A subgraph view walks a small node set in set order, which string hashing changes
    from one process to the next: the view must not depend on it."""
    import os
    import subprocess
    import sys

    pages = []
    for seed in ("1", "2", "3"):
        out = tmp_path / f"{seed}.html"
        done = subprocess.run([sys.executable, "-m", "kg.cli", "view", "--store", str(tiny_store_path), "-o", str(out),
                               "--focus", "Alibaba", "--depth", "1"],
                              capture_output=True, text=True, timeout=120, env={**os.environ, "PYTHONHASHSEED": seed})
        assert done.returncode == 0, done.stderr
        pages.append(out.read_bytes())
    assert pages[0] == pages[1] == pages[2]


def test_render_overwrites_atomically_and_refuses_a_directory(tiny, tmp_path):
    out = tmp_path / "view.html"
    out.write_text("old")
    render_view(tiny, out)
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert [p.name for p in tmp_path.iterdir()] == ["view.html"]
    with pytest.raises(ExportError, match="directory"):
        render_view(tiny, tmp_path)


def test_json_in_script_cannot_break_out():
    text = str(safe_json({"q": "</script><script>alert(1)</script><!-- & \u2028"}))
    assert not re.search(r"[<>&\u2028]", text)
    assert "\\u003c/script\\u003e" in text


# -- hostile article text ------------------------------------------------------------------

XSS_IMG = "<img src=x onerror=\"document.title='pwned'\">"
XSS_SCRIPT = "<script>document.title='pwned'</script>"
XSS_NAME = "Acme</script><i id=injected>x</i>"
XSS_TEXT = f"Jean Dupont, directeur de {XSS_NAME}, a déclaré : « {XSS_IMG} puis {XSS_SCRIPT} ». Fin."


def _xss_extraction() -> Extraction:
    doc = Document(identifier=f"{XSS_SCRIPT}.txt", text=XSS_TEXT, source="x.txt", lang="fr")
    jean = _entity(XSS_TEXT, "Person", "jean-dupont", "Jean Dupont", "Jean Dupont")
    acme = _entity(XSS_TEXT, "Organization", "acme", XSS_NAME, XSS_NAME)
    sentence = _span_of(XSS_TEXT, XSS_TEXT[: XSS_TEXT.index(" Fin.")])
    return Extraction(
        document=doc,
        entities=(jean, acme),
        relations=(Relation(jean, "worksFor", acme, sentence, role=XSS_IMG, rule="test", confidence=0.9),),
        claims=(Claim(jean, sentence, "criticism", "direct", about=(acme,), cue="a dit", confidence=0.9),),
    )


@pytest.fixture
def xss_store(tmp_path):
    with open_store(tmp_path / "xss-store") as store:
        touched = store.replace_article(extraction_graph(_xss_extraction(), RUN, store.iris))
        store.consolidate_entities(touched)
    with open_store(tmp_path / "xss-store", read_only=True) as store:
        yield store


def test_hostile_text_is_escaped_in_the_page(xss_store, tmp_path):
    summary, html = _render(xss_store, tmp_path / "xss.html")
    assert summary == ViewSummary(nodes=2, edges=2, reduced=False)
    g = view_graph(xss_store)
    assert {d["name"] for _, d in g.nodes(data=True)} == {"Jean Dupont", XSS_NAME}
    for raw in (XSS_IMG, XSS_SCRIPT, XSS_NAME, "<img", "<i id", "'pwned'</script>"):
        assert raw not in html
    assert html.count("</script>") == 2  # vis-network's and the page's own: nothing else closes a script
    assert "\\u003cimg src=x onerror=" in html  # the text is still there, as data


# -- a real browser ------------------------------------------------------------------------

def _browse(page: Path, work: Path, *args: str) -> str:
    """Run headless Chromium on ``page`` offline; return stdout (the DOM with --dump-dom)."""
    cmd = [
        chromium(), *CHROMIUM_FLAGS,
        f"--user-data-dir={work / 'chromium-profile'}",
        # All traffic, loopback included, goes to a closed port: the page must need none.
        "--proxy-server=127.0.0.1:9", "--proxy-bypass-list=<-loopback>",
        "--virtual-time-budget=10000", *args, page.resolve().as_uri(),
    ]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def _drawn(dom: str) -> tuple[int, int]:
    body = re.search(r"<body[^>]*>", dom)
    assert body, dom[:500]
    nodes = re.search(r'data-kg-nodes="(\d+)"', body.group())
    edges = re.search(r'data-kg-edges="(\d+)"', body.group())
    assert nodes and edges, f"the page never finished drawing: {body.group()}"
    return int(nodes.group(1)), int(edges.group(1))


def _png_colours(data: bytes) -> int:
    """How many distinct byte values the PNG's pixel data holds (one flat colour gives a handful)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat = 8, b""
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos : pos + 8])
        if kind == b"IDAT":
            idat += data[pos + 8 : pos + 8 + length]
        pos += 12 + length
    return len(set(zlib.decompress(idat)))


@pytest.mark.browser
def test_browser_draws_every_node_offline(tiny, tmp_path):
    page = tmp_path / "view.html"
    summary = render_view(tiny, page)
    dom = _browse(page, tmp_path, "--dump-dom")
    assert _drawn(dom) == (summary.nodes, summary.edges) == (6, 6)
    assert "6 nœuds et 6 liens dessinés" in dom
    shot = tmp_path / "out" / "view.png"
    shot.parent.mkdir()
    _browse(page, tmp_path, f"--screenshot={shot}", "--window-size=1280,900")
    data = shot.read_bytes()
    assert len(data) > 10_000
    assert _png_colours(data) > 32


@pytest.mark.browser
def test_browser_draws_a_focused_view(tiny, tmp_path):
    page = tmp_path / "focus.html"
    summary = render_view(tiny, page, focus="delangue", depth=1)  # Delangue, Hugging Face and 3 links
    assert _drawn(_browse(page, tmp_path, "--dump-dom")) == (summary.nodes, summary.edges) == (2, 3)


# Appended to a copy of the page: hovers a node, then the middle of the straight edge, as a
# user would (vis-network then shows its own tooltip), and finally puts every tooltip into the
# document. What the tooltips showed is recorded on <body> for --dump-dom.
HOVER_AND_SHOW_TOOLTIPS = """<script>
window.addEventListener("load", function () {
  setTimeout(function () {
    var canvas = document.querySelector("#kg-network canvas"), box = canvas.getBoundingClientRect();
    function hover(p, then) {
      canvas.dispatchEvent(new MouseEvent("mousemove",
        {clientX: box.left + p.x, clientY: box.top + p.y, bubbles: true}));
      setTimeout(then, 1000);
    }
    function shown() {
      var t = document.querySelector("div.vis-tooltip");
      return t && t.style.visibility === "visible" ? t.textContent : "";
    }
    var ids = nodes.getIds(), pos = network.getPositions(ids);
    var a = network.canvasToDOM(pos[ids[0]]), b = network.canvasToDOM(pos[ids[1]]);
    hover(a, function () {
      document.body.dataset.nodeTip = shown();
      hover({x: (a.x + b.x) / 2, y: (a.y + b.y) / 2}, function () {
        document.body.dataset.edgeTip = shown();
        var all = document.createElement("div");
        all.id = "kg-test-tooltips";
        nodes.get().concat(edges.get()).forEach(function (item) { all.appendChild(item.title); });
        document.body.appendChild(all);
      });
    });
  }, 2000);
});
</script>
"""


@pytest.mark.browser
def test_browser_shows_hostile_text_as_text(xss_store, tmp_path):
    page = tmp_path / "xss.html"
    render_view(xss_store, page)
    probed = tmp_path / "xss-probed.html"
    html = page.read_text(encoding="utf-8")
    probed.write_text(html.replace("</body>", HOVER_AND_SHOW_TOOLTIPS + "</body>"), encoding="utf-8")
    for html_file in (page, probed):
        dom = _browse(html_file, tmp_path, "--dump-dom")
        assert _drawn(dom) == (2, 2)
        assert "<title>newskg — graphe des entités</title>" in dom
        assert "pwned</title>" not in dom
        assert not re.search(r"<img\b", dom, re.I)
        assert not re.search(r"<i\s+id=\"?injected", dom, re.I)
    # vis-network really showed the tooltips, with the hostile text as text.
    body = re.search(r"<body[^>]*>", dom).group()
    node_tip = re.search(r'data-node-tip="([^"]*)"', body)
    edge_tip = re.search(r'data-edge-tip="([^"]*)"', body)
    assert node_tip and "i id=injected" in node_tip.group(1)
    assert edge_tip and "img src=x onerror=" in edge_tip.group(1) and "Article" in edge_tip.group(1)
    # Every tooltip, put into the document, is text.
    assert 'id="kg-test-tooltips"' in dom
    assert "&lt;img src=x onerror=\"document.title='pwned'\"&gt;" in dom
    assert "&lt;script&gt;document.title='pwned'&lt;/script&gt;" in dom
    assert "Acme&lt;/script&gt;&lt;i id=injected&gt;x&lt;/i&gt;" in dom


# -- a bigger graph ------------------------------------------------------------------------

def _big_extraction(people: int, orgs: int) -> Extraction:
    names = [f"Personne{i:04d} Test" for i in range(people)]
    org_names = [f"Societe{j:03d}" for j in range(orgs)]
    text = " ".join(f"{n} travaille chez {org_names[i % orgs]}." for i, n in enumerate(names))
    entities = [_entity(text, "Person", n.casefold(), n, n) for n in names]
    companies = [_entity(text, "Organization", o.casefold(), o, o) for o in org_names]
    relations = tuple(
        Relation(p, "worksFor", companies[i % orgs], _span_of(text, f"{p.name} travaille"), role="CTO",
                 rule="test", confidence=0.8)
        for i, p in enumerate(entities)
    )
    doc = Document(identifier="big.txt", text=text, source="big.txt", lang="fr")
    return Extraction(document=doc, entities=(*entities, *companies), relations=relations, claims=())


@pytest.fixture(scope="module")
def big_store(tmp_path_factory):
    path = tmp_path_factory.mktemp("big") / "store"
    with open_store(path) as store:
        touched = store.replace_article(extraction_graph(_big_extraction(560, 20), RUN, store.iris))
        store.consolidate_entities(touched)
    return path


@pytest.mark.browser
def test_big_graph_is_laid_out_reduced_and_drawn(big_store, tmp_path):
    with open_store(big_store, read_only=True) as store:
        full = render_view(store, tmp_path / "full.html")
        reduced, html = _render(store, tmp_path / "reduced.html", max_nodes=100)
    assert full == ViewSummary(nodes=580, edges=560, reduced=False)
    assert reduced.reduced and reduced.nodes == 100
    assert "Vue réduite : 100 entités affichées sur 580" in html
    # Positions come from Python, so the browser starts from a finished layout.
    assert re.search(r'"x":-?\d', html) and re.search(r'"y":-?\d', html)
    assert '"stabilizationIterationsDone"' in html and "physics: false" in html
    assert _drawn(_browse(tmp_path / "full.html", tmp_path, "--dump-dom")) == (580, 560)


def test_empty_store_gives_an_empty_page(tmp_path):
    with open_store(tmp_path / "empty") as store:
        summary = render_view(store, tmp_path / "empty.html")
    assert summary == ViewSummary(nodes=0, edges=0, reduced=False)
    assert 'id="kg-legend"' in (tmp_path / "empty.html").read_text(encoding="utf-8")

