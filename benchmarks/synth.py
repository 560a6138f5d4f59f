"""Large stores made without NLP, from the generator's planted facts (realistic article graphs).

    python benchmarks/synth.py STORE --triples 1000000
"""

from __future__ import annotations

import argparse
import gzip
import sys
from pathlib import Path


def make_store(path: Path, triples: int, seed: int = 7) -> int:
    """A newskg store of about ``triples`` triples: article graphs bulk-loaded, entities consolidated."""
    from corpus_gen import generate_article, planted_extraction

    from kg import __version__
    from kg.export.texts import export_text
    from kg.rdf import RunInfo, article_ntriples, to_nquads
    from kg.store import open_store

    run = RunInfo(__version__, "generated", "synthetic")
    shard = path.parent / f"{path.name}.nq.gz"
    with open_store(path) as store:
        count, i, entities, texts = 0, 0, set(), []
        with gzip.open(shard, "wt", encoding="utf-8", compresslevel=1) as out:
            while count < triples:
                article = generate_article(i, seed)
                extraction = planted_extraction(article)
                graph, body, commit, mentioned = article_ntriples(extraction, run, store.iris)
                out.write(to_nquads(body + commit, graph))
                texts.append(export_text(graph, body + commit, extraction.settings["content_hash"], store.iris.base))
                count += (body + commit).count("\n")
                entities.update(mentioned)
                i += 1
        store.load_shards([shard], texts=texts)  # as kg build keeps them
        from rdflib import URIRef

        ordered = sorted(URIRef(e) for e in entities)
        for k in range(0, len(ordered), 2000):
            store.consolidate_entities(ordered[k : k + 2000])
        store.compact()  # as kg build does after a large build
        total = len(store)
    shard.unlink()
    return total


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("store")
    parser.add_argument("--triples", type=int, default=1_000_000)
    args = parser.parse_args()
    print(make_store(Path(args.store), args.triples), file=sys.stdout)
