"""Imported once by the forkserver before it forks the corpus workers, so that each starts warm.

Loads the library, the reference tables and the tokenizer with its user dictionary (about a second each)
once instead of once per worker process.
"""

from . import corpus, words

corpus.empty_document_tables()  # runs every per-document step once on an empty page: reference tables, regexes
words.tag_text("包头稀土")  # the tokenizer's dictionaries
