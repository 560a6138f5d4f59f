"""The baseline: bare ``nlp.pipe`` over the texts of a JSONL corpus, nothing else.

    python benchmarks/nlp_pipe.py CORPUS [--stock] [--processes N] [--batch-size 16]

``--stock`` uses ``fr_core_news_md`` as shipped; otherwise newskg's pipeline (the model plus
its entity components, exactly what ``kg build`` runs). With several processes a last
component empties ``Doc.user_data``: spaCy cannot send newskg's Doc extensions between
processes, and the baseline must not pay for them. Prints words/s of the pipe alone.
"""

from __future__ import annotations

import argparse
import json
import time
import warnings


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("corpus")
    parser.add_argument("--stock", action="store_true")
    parser.add_argument("--processes", type=int, default=1)
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--model", default="fr_core_news_md")
    args = parser.parse_args()
    warnings.filterwarnings("ignore")
    from pathlib import Path

    import spacy
    from spacy.language import Language

    corpus = Path(args.corpus)
    texts = []
    for part in sorted(corpus.glob("*.jsonl")) if corpus.is_dir() else [corpus]:
        with part.open(encoding="utf-8") as lines:
            texts += [json.loads(line)["text"] for line in lines]
    if args.stock:
        nlp = spacy.load(args.model)
    else:
        from kg.kb import load_kb
        from kg.nlp.pipeline import load_pipeline

        nlp = load_pipeline(args.model, load_kb())

    @Language.component("bench_drop_user_data")
    def drop(doc):  # type: ignore[no-untyped-def]
        doc.user_data.clear()
        return doc

    if args.processes > 1:
        nlp.add_pipe("bench_drop_user_data", last=True)
    start = time.perf_counter()
    for _ in nlp.pipe(texts, batch_size=args.batch_size, n_process=args.processes):
        pass
    seconds = time.perf_counter() - start
    words = sum(len(t.split()) for t in texts)
    print(json.dumps({"words": words, "seconds": seconds, "words_per_s": words / seconds}))


if __name__ == "__main__":
    main()
