"""Finding input files and decoding them into pages.

A `Page` is one article-to-be: one per .txt/.html file, one per record of a .jsonl/.csv file.

- doc_id: first 16 hex digits of the SHA-256 of the raw bytes of the page (or of the record)
- path: the file path as a string; records are `file.jsonl#3` (1-based record number)
- encoding: the detected encoding of the bytes (`utf-8`, `utf-8-sig`, `utf-16`, `gb18030`, `big5`, ...)
- text: the decoded text (for HTML: the main content extracted by trafilatura, paragraphs on their own lines)
- html: the decoded HTML, or None for plain text
- hints: metadata found beside the text: title / url / date / source / author (HTML metadata or record fields);
  for HTML also extractor: "trafilatura", or "tags" when trafilatura found no article and the text is every
  block element's text (the cleaner then keeps a body only if it holds real prose)

Reject rows are dicts `{"path", "error"}`; nothing here raises for bad input or modifies a file.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

PAGE_SUFFIXES = {".txt", ".html", ".htm", ".jsonl", ".csv"}
RECORD_SUFFIXES = {".jsonl", ".csv"}
REJECT_COLUMNS = ["path", "error"]
HTML_SUFFIXES = {".html", ".htm"}
MAX_PAGE_BYTES = 20 * 1024 * 1024  # one .txt/.html page; larger files are rejected, not read
MAX_RECORD_FILE_BYTES = 2 * 1024 * 1024 * 1024  # a .jsonl/.csv file (its records are streamed)
MAX_RECORD_BYTES = MAX_PAGE_BYTES  # one record inside a .jsonl/.csv file
READ_CHUNK_BYTES = 1 << 20  # read size for a file whose size is not known beforehand

TEXT_FIELDS = ("text", "content", "body", "article", "raw_text")
HTML_FIELDS = ("html", "raw_html", "page")
HINT_FIELDS = {
    "title": ("title", "headline"),
    "url": ("url", "link", "source_url"),
    "date": ("date", "published", "publish_date", "pubdate", "time"),
    "source": ("source", "site", "sitename", "outlet"),
    "author": ("author", "byline"),
}

BINARY_SIGNATURES = [
    (b"\x89PNG\r\n\x1a\n", "PNG"),
    (b"\xff\xd8\xff", "JPEG"),
    (b"GIF87a", "GIF"),
    (b"GIF89a", "GIF"),
    (b"%PDF", "PDF"),
    (b"PK\x03\x04", "ZIP"),
    (b"\x1f\x8b", "GZIP"),
    (b"\x7fELF", "ELF executable"),
    (b"RIFF", "RIFF (WebP/WAV)"),
    (b"BM", "BMP"),
    (b"\xd0\xcf\x11\xe0", "MS Office"),
    (b"7z\xbc\xaf", "7-Zip"),
    (b"PAR1", "Parquet"),
    (b"SQLite format 3", "SQLite"),
]
PLAUSIBLE_TEXT = re.compile(r"[\u4e00-\u9fff\u3000-\u303f\uff00-\uffef\u2000-\u206f\x20-\x7e\s]+")
CONTROL_BYTES = bytes(byte for byte in range(32) if byte not in (9, 10, 12, 13, 27))
BOMS = [
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
]
BINARY_PREFIXES = tuple(signature for signature, _ in BINARY_SIGNATURES)  # (one `startswith` test for all)
BOM_PREFIXES = tuple(bom for bom, _ in BOMS)
META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.IGNORECASE)
HTML_START = re.compile(r"^\s*(?:<!doctype\s+html|<html[\s>]|<head[\s>]|<body[\s>])", re.IGNORECASE)
TITLE_SEPARATORS = re.compile(r"\s*(?:[_|｜]|\s[-–—]\s|(?<=[^\d\s])[-–—](?=[^\d]))\s*")
INVISIBLE_ELEMENTS = re.compile(r"<(script|style|noscript|template|title|head)\b[^>]*>.*?</\1\s*>|<!--.*?-->",
                                re.IGNORECASE | re.DOTALL)
BLOCK_TAGS = re.compile(r"<(?:br|/?p|/?div|/?li|/?h[1-6]|/?tr|/?table|/?section|/?article|/?blockquote)\b[^>]*>",
                        re.IGNORECASE)
ANY_TAG = re.compile(r"<[^>]*>")
EDITOR_LABEL = re.compile(r"^[\[【(（]?\s*(责任编辑|責任編輯|责编|責編|编辑|編輯)")
AUTHOR_LABEL = re.compile(r"^(作者|记者|記者|撰文|本报记者|本報記者|文)\s*[:：/|]\s*")
COPYRIGHT_WORDS = re.compile(r"版权所有|版權所有|(?i:all rights reserved)|(?i:copyright).*$|©.*$")
CHINESE_ENCODINGS = {"gb2312": "gb18030", "gbk": "gb18030", "gb18030": "gb18030", "big5": "big5", "big5-hkscs": "big5"}


@dataclass(frozen=True)
class Page:
    """One page (or record) ready for cleaning: its id, where it came from, its decoded text and hints."""

    doc_id: str
    path: str
    encoding: str
    text: str
    html: str | None = None
    hints: dict = field(default_factory=dict)


def doc_id_for(raw: bytes) -> str:
    """A stable id for a document: the first 16 hex digits of the SHA-256 of its raw bytes."""
    return hashlib.sha256(raw).digest()[:8].hex()  # (= hexdigest()[:16], without the other 48 hex digits)


def reject(path: str | Path, error: str) -> dict:
    """A reject row for `path`."""
    return {"path": str(path), "error": error}


def is_candidate(path: Path) -> bool:
    """Whether a file found in a folder is read: known page suffixes, and files without a suffix."""
    return path.suffix.lower() in PAGE_SUFFIXES or path.suffix == ""


def find_input_files(inputs: list[Path]) -> tuple[list[Path], list[dict]]:
    """Every candidate file under `inputs` (recursive, no symlink loops), sorted; plus rejects for unlistable paths."""
    found: set[Path] = set()
    rejects: list[dict] = []
    for item in inputs:
        item = Path(item)
        try:
            if item.is_dir():
                found.update(walk_folder(item, rejects))
            elif item.is_file():
                found.add(item)
            elif item.is_symlink():
                rejects.append(reject(item, symlink_problem(item)))
            elif not item.exists():
                rejects.append(reject(item, "missing path: no such file or folder"))
            else:
                rejects.append(reject(item, "not a regular file or folder"))
        except OSError as error:
            rejects.append(reject(item, f"cannot list: {error.strerror or error}"))
    # (sorted by their parts: a tuple compared in C, much quicker for many files than comparing the Paths)
    return sorted(found, key=lambda path: path.parts), sorted(rejects, key=lambda row: row["path"])


def symlink_problem(path: Path) -> str:
    """Why a symlink can't be followed: a loop, or a dangling target."""
    try:
        os.stat(path)
    except OSError as error:
        if error.errno == 40:  # ELOOP
            return "symlink loop"
        return f"broken symlink: {error.strerror}"
    return "symlink to something that is not a file or folder"


def walk_folder(root: Path, rejects: list[dict]) -> list[Path]:
    """Candidate files under `root`, following folder symlinks once (a folder already visited is a loop)."""
    files: list[Path] = []
    visited: set[tuple[int, int]] = set()
    stack = [root]
    while stack:
        folder = stack.pop()
        try:
            info = folder.stat()
        except OSError as error:
            rejects.append(reject(folder, symlink_problem(folder) if folder.is_symlink() else f"cannot list: {error}"))
            continue
        key = (info.st_dev, info.st_ino)
        if key in visited:
            rejects.append(reject(folder, "symlink loop: folder already visited"))
            continue
        visited.add(key)
        try:
            entries = sorted(os.scandir(folder), key=lambda entry: entry.name)
        except OSError as error:
            rejects.append(reject(folder, f"unreadable folder: {error.strerror or error}"))
            continue
        for entry in entries:
            if entry.name.startswith("."):
                continue
            path = Path(entry.path)
            try:
                if entry.is_dir(follow_symlinks=True):
                    stack.append(path)
                elif entry.is_file(follow_symlinks=True):
                    if is_candidate(path):
                        files.append(path)
                    else:
                        rejects.append(reject(path, f"unsupported file type {path.suffix!r}"))
                elif entry.is_symlink():
                    rejects.append(reject(path, symlink_problem(path)))
            except OSError as error:
                rejects.append(reject(path, f"cannot list: {error.strerror or error}"))
    return files


def binary_kind(raw: bytes) -> str | None:
    """The kind of binary content in `raw` (e.g. "PNG"), or None when it may be text."""
    if raw.startswith(BINARY_PREFIXES):
        return next(kind for signature, kind in BINARY_SIGNATURES if raw.startswith(signature))
    if raw.startswith(BOM_PREFIXES):
        return None
    sample = raw[:8192]
    if b"\x00" in sample:
        return None if looks_like_utf16(raw) else "data with NUL bytes"
    controls = len(sample) - len(sample.translate(None, CONTROL_BYTES))
    if sample and controls / len(sample) > 0.1:
        return "data with control bytes"
    return None


def looks_like_utf16(raw: bytes) -> str | None:
    """`utf-16-le` / `utf-16-be` when BOM-less bytes decode to plausible text in that encoding, else None.

    Only asked when the bytes hold NULs: real UTF-16 text has them (newlines, digits, Latin letters).
    """
    sample = raw[:8192]
    sample = sample[: len(sample) - len(sample) % 2]
    if len(sample) < 4:
        return None
    for name in ("utf-16-le", "utf-16-be"):
        try:
            text = sample.decode(name)
        except UnicodeDecodeError:
            continue
        plausible = len(text) - len(PLAUSIBLE_TEXT.sub("", text))
        if plausible >= 0.95 * len(text):
            return name
    return None


def declared_charset(raw: bytes) -> str | None:
    """The charset an HTML page declares in a <meta> tag, normalised for Python (gb2312 → gb18030)."""
    match = META_CHARSET.search(raw[:4096])
    if not match:
        return None
    name = match.group(1).decode("ascii", "ignore").lower()
    name = CHINESE_ENCODINGS.get(name, name)
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def decode_bytes(raw: bytes) -> tuple[str, str]:
    """Decoded text and the encoding used; strict UTF-8 first, then an HTML-declared charset, GB18030, Big5.

    Raises UnicodeDecodeError (with a reason) when no encoding fits.
    """
    if raw.startswith(BOM_PREFIXES):
        name = next(name for bom, name in BOMS if raw.startswith(bom))
        return raw.decode(name, errors="replace"), name
    utf16 = looks_like_utf16(raw) if b"\x00" in raw[:8192] else None
    if utf16:
        return raw.decode(utf16, errors="replace"), utf16
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as error:
        if error.reason == "unexpected end of data" and error.start >= len(raw) - 3:
            return raw[: error.start].decode("utf-8"), "utf-8 (truncated)"
        utf8_error = error
    declared = declared_charset(raw)
    candidates = [declared] if declared and declared not in ("utf-8", "ascii") else []
    candidates += [name for name in best_chinese_encodings(raw) if name not in candidates]
    for name in candidates:
        try:
            return raw.decode(name), name
        except UnicodeDecodeError as error:
            if error.start >= len(raw) - 3:  # only the last character is cut: a truncated file
                return raw[: error.start].decode(name), f"{name} (truncated)"
        except LookupError:
            continue
    raise UnicodeDecodeError("utf-8", raw, utf8_error.start, utf8_error.end,
                             f"not UTF-8 ({utf8_error.reason} at byte {utf8_error.start}), nor GB18030 or Big5")


COMMON_SIMPLIFIED = set("的是在了不和有大国中人这为上个们我来说到时要以会年对也发生就可出而能经于行学")
COMMON_TRADITIONAL = set("的是在了不和有大國中人這為上個們我來說到時要以會年對也發生就可出而能經於行學")


def characters_pattern(characters: set[str]) -> re.Pattern:
    """A regex finding any one of the characters."""
    return re.compile("[" + "".join(re.escape(character) for character in sorted(characters)) + "]")


COMMON_IN_ENCODING = {"gb18030": characters_pattern(COMMON_SIMPLIFIED | COMMON_TRADITIONAL),
                      "big5": characters_pattern(COMMON_TRADITIONAL)}  # the common characters each encoding may hold


def best_chinese_encodings(raw: bytes) -> list[str]:
    """GB18030 and Big5 ordered by how many common Chinese characters (minus undecodable bytes) each yields."""
    scores = []
    for name, common in COMMON_IN_ENCODING.items():
        text = raw[:65536].decode(name, errors="replace")
        hits = len(common.findall(text)) - 5 * text.count("\ufffd")  # (findall: much quicker than a loop in Python)
        scores.append((hits / max(len(text), 1), name))
    return [name for _, name in sorted(scores, reverse=True)]


def looks_like_html(text: str, suffix: str) -> bool:
    """Whether a page should be parsed as HTML (by suffix, or by its first tag)."""
    return suffix in HTML_SUFFIXES or bool(HTML_START.match(text, 0, 1024))  # (its first 1024 characters)


def clean_title(title: str | None, sitename: str | None = None) -> str:
    """A page title without the site's name appended (`标题-新华网`, `标题_频道_网站`)."""
    if not title:
        return ""
    title = " ".join(title.split())
    head = TITLE_SEPARATORS.split(title, maxsplit=1)[0].strip()
    if len(head) >= 5 and head != title:
        return head
    if sitename and title.endswith(sitename) and len(title) > len(sitename) + 4:
        return title[: -len(sitename)].strip(" -_|")
    return title


def html_title_tag(html: str) -> str:
    """The text of the page's <title> element, unescaped."""
    import html as html_lib

    match = re.search(r"<title[^>]*>(.*?)</title>", html[:200000], re.IGNORECASE | re.DOTALL)
    return html_lib.unescape(re.sub(r"<[^>]+>", "", match.group(1))).strip() if match else ""


def tag_text(html: str) -> str:
    """The visible text of an HTML page or fragment, a line per block element (used when trafilatura finds nothing)."""
    import html as html_lib

    html = INVISIBLE_ELEMENTS.sub(" ", html)
    html = BLOCK_TAGS.sub("\n", html)
    return html_lib.unescape(ANY_TAG.sub("", html))


def clean_byline(value: str | None) -> str:
    """An author from page metadata, without a label; "" when it names an editor instead."""
    value = " ".join((value or "").split())
    if EDITOR_LABEL.match(value):
        return ""
    value = AUTHOR_LABEL.sub("", value).strip()
    return value if 2 <= len(value) <= 40 and value not in {"作者", "记者", "编辑"} else ""


def clean_sitename(value: str | None) -> str:
    """A site name from page metadata, without copyright words; "" when nothing sensible is left."""
    value = COPYRIGHT_WORDS.sub("", " ".join((value or "").split())).strip(" ,.-_|")
    return value if 2 <= len(value) <= 30 else ""


def extract_html(html: str) -> tuple[str, dict]:
    """Main text (paragraph per line) and metadata hints of an HTML page: trafilatura, else the tags' text."""
    import trafilatura

    try:
        document = trafilatura.bare_extraction(html, with_metadata=True, include_comments=False,
                                               include_tables=False, deduplicate=False)
    except Exception:  # a broken, hostile or too deeply nested page: fall back to the tags' text
        document = None
    if document is None or not (document.text or "").strip():
        try:
            text = tag_text(html)
        except Exception:
            text = ""
        return text, {"title": clean_title(html_title_tag(html)), "extractor": "tags"}
    sitename = clean_sitename(document.sitename)
    title = clean_title(document.title, sitename)
    page_title = clean_title(html_title_tag(html), sitename)
    if (not title or len(title) <= 6 or title == sitename) and len(page_title) > len(title):
        title = page_title
    hints = {"title": title, "url": document.url or "", "date": document.date or "", "source": sitename,
             "author": clean_byline(document.author), "extractor": "trafilatura"}
    return document.text or "", {key: value for key, value in hints.items() if value}


def page_from_bytes(raw: bytes, path: str, suffix: str, hints: dict | None = None,
                    force_html: bool = False) -> tuple[Page | None, str | None]:
    """A page from one file's or record's bytes, or an error message."""
    if not raw or raw.isspace():
        return None, "empty file" if not raw else "whitespace only"
    kind = binary_kind(raw)
    if kind:
        return None, f"binary content (looks like {kind})"
    try:
        text, encoding = decode_bytes(raw)
    except UnicodeDecodeError as error:
        return None, f"undecodable: {error.reason}"
    return page_from_text(text, raw, encoding, path, suffix, hints, force_html)


def page_from_text(text: str, raw: bytes, encoding: str, path: str, suffix: str, hints: dict | None = None,
                   force_html: bool = False) -> tuple[Page | None, str | None]:
    """A page from decoded text (HTML is run through the extractor), or an error message."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "\x00" in text:
        text = text.replace("\x00", "")
    if not text or text.isspace():
        return None, "whitespace only"
    hints = dict(hints or {})
    if force_html or looks_like_html(text, suffix):
        body, html_hints = extract_html(text)
        return Page(doc_id_for(raw), path, encoding, body, text, {**html_hints, **hints}), None
    return Page(doc_id_for(raw), path, encoding, text, None, hints), None


def read_file(path: Path) -> tuple[list[Page], list[dict]]:
    """All pages in one file (one for txt/html, one per record for jsonl/csv) plus reject rows; never raises."""
    path = path if isinstance(path, Path) else Path(path)
    suffix = path.suffix.lower()
    try:
        if suffix in RECORD_SUFFIXES:
            size = path.stat().st_size
            if size > MAX_RECORD_FILE_BYTES:
                return [], [too_large(path, size, MAX_RECORD_FILE_BYTES)]
            return read_jsonl(path) if suffix == ".jsonl" else read_csv(path)
        size, raw = read_bytes_upto(path, MAX_PAGE_BYTES)
        if raw is None:
            return [], [too_large(path, size, MAX_PAGE_BYTES)]
    except OSError as error:
        return [], [reject(path, f"unreadable: {error.strerror or error}")]
    except Exception as error:  # never let one bad file stop a run
        return [], [reject(path, f"unreadable: {type(error).__name__}: {error}")]
    page, error = page_from_bytes(raw, str(path), suffix)
    return ([page], []) if page else ([], [reject(path, error or "unreadable")])


def read_bytes_upto(path: Path, limit: int) -> tuple[int, bytes | None]:
    """(the file's size, its bytes), or (size, None) when the size is over `limit` (then nothing is read).

    Plain `os` calls: four system calls for a small file (open, stat, read, close) instead of ten through a
    buffered file object.
    """
    descriptor = os.open(path, os.O_RDONLY)
    try:
        size = os.fstat(descriptor).st_size
        if size > limit:
            return size, None
        data = os.read(descriptor, size + 1)
        if len(data) == size:  # (a regular file's whole content: the read stopped one byte short, at its end)
            return size, data
        parts = [data]  # grown or shrunk since, over one read's limit (~2 GiB), or not a regular file: read to the end
        while chunk := os.read(descriptor, READ_CHUNK_BYTES):
            parts.append(chunk)
        return size, b"".join(parts)
    finally:
        os.close(descriptor)


def too_large(path: Path, size: int, limit: int) -> dict:
    """The reject row for a file over its size limit."""
    return reject(path, f"too large: {size / 2**20:.1f} MB > {limit / 2**20:.0f} MB limit")


def record_hints(record: dict) -> dict:
    """Title / url / date / source / author from a record's fields (first non-empty of each alias)."""
    hints = {}
    for hint, names in HINT_FIELDS.items():
        for name in names:
            value = record.get(name)
            if isinstance(value, (str, int, float)) and str(value).strip():
                hints[hint] = str(value).strip()
                break
    return hints


def page_from_record(record: object, raw: bytes, path: str) -> tuple[Page | None, str | None]:
    """A page from one jsonl/csv record (a text or html field), or an error message."""
    if not isinstance(record, dict):
        return None, "not an object"
    record = {str(key).strip().lower(): value for key, value in record.items()}
    hints = record_hints(record)
    for name in HTML_FIELDS:
        if isinstance(record.get(name), str) and record[name].strip():
            return page_from_text(record[name], raw, "utf-8", path, ".html", hints, force_html=True)
    for name in TEXT_FIELDS:
        if isinstance(record.get(name), str) and record[name].strip():
            return page_from_text(record[name], raw, "utf-8", path, ".txt", hints)
    return None, "no text or html field"


def read_jsonl(path: Path) -> tuple[list[Page], list[dict]]:
    """One page per JSON line (blank lines skipped); bad lines become rejects naming the record."""
    pages: list[Page] = []
    rejects: list[dict] = []
    with path.open("rb") as handle:
        head = handle.read(4096)
        handle.seek(0)
        if head and binary_kind(head):
            return [], [reject(path, f"binary content (looks like {binary_kind(head)})")]
        n_records = 0
        for number, raw_line in enumerate(handle, start=1):
            if not raw_line.strip():
                continue
            n_records += 1
            where = f"{path}#{number}"
            if len(raw_line) > MAX_RECORD_BYTES:
                rejects.append(reject(where, f"record {number}: too large: {len(raw_line) / 2**20:.1f} MB"))
                continue
            try:
                text, _ = decode_bytes(raw_line.strip())
                record = json.loads(text)
            except (UnicodeDecodeError, ValueError) as error:
                rejects.append(reject(where, f"record {number}: invalid JSON: {str(error)[:80]}"))
                continue
            page, error = page_from_record(record, raw_line.strip(), where)
            if page:
                pages.append(page)
            else:
                rejects.append(reject(where, f"record {number}: {error}"))
    if not n_records:
        rejects.append(reject(path, "empty file"))
    return pages, collapse_record_rejects(path, pages, rejects)


def read_csv(path: Path) -> tuple[list[Page], list[dict]]:
    """One page per CSV row (header row names the fields); rows without text become rejects."""
    pages: list[Page] = []
    rejects: list[dict] = []
    with path.open("rb") as handle:
        head = handle.read(65536)
    if not head.strip():
        return [], [reject(path, "empty file")]
    kind = binary_kind(head)
    if kind:
        return [], [reject(path, f"binary content (looks like {kind})")]
    try:
        _, encoding = decode_bytes(head)
    except UnicodeDecodeError:
        encoding = "gb18030"
    encoding = {"utf-8 (truncated)": "utf-8"}.get(encoding, encoding)
    csv.field_size_limit(MAX_RECORD_BYTES)
    with path.open("r", encoding=encoding, errors="replace", newline="") as handle:
        try:
            for number, row in enumerate(csv.DictReader(handle), start=1):
                where = f"{path}#{number}"
                raw = json.dumps(row, ensure_ascii=False, sort_keys=True).encode("utf-8")
                page, error = page_from_record(row, raw, where)
                if page:
                    pages.append(page)
                else:
                    rejects.append(reject(where, f"record {number}: {error}"))
        except (csv.Error, UnicodeError) as error:
            rejects.append(reject(path, f"malformed CSV: {error}"))
    if not pages and not rejects:
        rejects.append(reject(path, "no records"))
    return pages, collapse_record_rejects(path, pages, rejects)


def collapse_record_rejects(path: Path, pages: list[Page], rejects: list[dict]) -> list[dict]:
    """One reject for the whole file when none of its records is an article (e.g. a labels file), else as is."""
    no_text = [row for row in rejects if row["error"].endswith(": no text or html field")]
    if pages or len(no_text) < 2 or len(no_text) != len(rejects):
        return rejects
    return [reject(path, f"no record has a text or html field ({len(no_text)} records)")]


def empty_page() -> Page:
    """A page with no text (for building tables with no rows)."""
    return Page(doc_id_for(b""), "", "utf-8", "")
