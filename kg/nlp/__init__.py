"""The NLP stage: spaCy with newskg's French components, from a Document to plain records
(:func:`kg.nlp.pipeline.doc_to_result`). No spaCy object leaves this package; see ARCHITECTURE.md."""
