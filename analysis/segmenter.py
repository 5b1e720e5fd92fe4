"""Which word segmenter runs and what identifies it (backend, version, HMM setting, dictionary hash).

Kept apart from `words` (which needs pandas and Arrow) so that checking whether outputs are up to date stays
quick: the identity is part of every cache key and output fingerprint.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import os

from .paths import RESOURCES

BACKENDS = ("rjieba", "jieba")
DEFAULT_BACKEND = "rjieba"
BACKEND_ENV = "RARE_EARTH_SEGMENTER"
USE_HMM = False
RESOURCE_FILES = ("user_dict.txt", "surnames.txt", "person_titles.txt", "speech_verbs.txt")


def choose_backend(backend: str | None = None) -> str:
    """The backend to use: the argument, else $RARE_EARTH_SEGMENTER, else rjieba."""
    name = (backend or os.environ.get(BACKEND_ENV) or DEFAULT_BACKEND).strip().lower()
    if name not in BACKENDS:
        raise ValueError(f"unknown segmenter backend {name!r}; choose one of {BACKENDS}")
    return name


def dictionary_sha256() -> str:
    """SHA-256 over every resource that changes tokens (user dictionary, surnames, titles, speech verbs)."""
    digest = hashlib.sha256()
    for name in RESOURCE_FILES:
        digest.update(name.encode() + b"\0" + (RESOURCES / name).read_bytes() + b"\0")
    return digest.hexdigest()


def segmenter_info(backend: str | None = None) -> dict:
    """Backend, its version, HMM setting, base dictionary and user resources' hash (for outputs, cache keys)."""
    name = choose_backend(backend)
    return {"backend": name, "version": importlib.metadata.version(name), "hmm": USE_HMM,
            "base_dictionary": f"jieba-{importlib.metadata.version('jieba')}",
            "dictionary_sha256": dictionary_sha256()}
