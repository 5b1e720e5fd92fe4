"""Tests for analysis.read: finding input files, decoding bytes, parsing txt / html / jsonl / csv."""

from __future__ import annotations

import hashlib
import json
import os
import pickle
from pathlib import Path

import pytest

from analysis import read

ARTICLE = ("稀土是我国重要的战略资源，也是不可再生资源。内蒙古包头市拥有全国83.7%的稀土储量，"
           "被誉为“稀土之都”。当地正在推动稀土新材料产业高质量发展。")
TRADITIONAL = "稀土是我國重要的戰略資源，也是不可再生資源。內蒙古包頭市擁有全國大部分的稀土儲量，當地經濟發展迅速。"
PNG_BYTES = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"


def write(folder: Path, name: str, data: bytes | str) -> Path:
    """Write bytes (or UTF-8 text) to folder/name, creating folders."""
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def read_one(path: Path) -> read.Page:
    """The single page of a file, failing the test when there are rejects."""
    pages, rejects = read.read_file(path)
    assert rejects == [] and len(pages) == 1, rejects
    return pages[0]


def error_of(path: Path) -> str:
    """The single reject message of a file that must not yield a page."""
    pages, rejects = read.read_file(path)
    assert pages == [] and len(rejects) == 1
    assert rejects[0]["path"] == str(path)
    return rejects[0]["error"]


def test_seed_page_has_hash_id_and_text(seed_path, seed_text):
    page = read_one(seed_path)
    assert page.doc_id == hashlib.sha256(seed_path.read_bytes()).hexdigest()[:16]
    assert page.encoding == "utf-8" and page.html is None
    assert page.text == seed_text and page.path == str(seed_path)


@pytest.mark.parametrize(("encoding", "expected"), [
    ("utf-8-sig", "utf-8-sig"), ("gbk", "gb18030"), ("gb18030", "gb18030"), ("utf-16", "utf-16"),
])
def test_chinese_encodings_are_detected(tmp_path, encoding, expected):
    page = read_one(write(tmp_path, f"a_{encoding}.txt", ARTICLE.encode(encoding)))
    assert page.text == ARTICLE
    assert page.encoding == expected


def test_big5_traditional_text_is_detected(tmp_path):
    page = read_one(write(tmp_path, "big5.txt", TRADITIONAL.encode("big5")))
    assert page.text == TRADITIONAL and page.encoding == "big5"


def test_bomless_utf16_is_detected(tmp_path):
    page = read_one(write(tmp_path, "le.txt", ARTICLE.encode("utf-16-le")))
    assert page.text == ARTICLE and page.encoding == "utf-16-le"


def test_truncated_utf8_keeps_the_complete_text(tmp_path):
    raw = ARTICLE.encode("utf-8")[:-1]  # cut inside the last character
    page = read_one(write(tmp_path, "cut.txt", raw))
    assert page.encoding == "utf-8 (truncated)"
    assert page.text == ARTICLE[:-1]


def test_truncated_gbk_keeps_the_complete_text(tmp_path):
    page = read_one(write(tmp_path, "cut_gbk.txt", ARTICLE.encode("gbk")[:-1]))
    assert page.encoding == "gb18030 (truncated)" and page.text == ARTICLE[:-1]


@pytest.mark.parametrize(("data", "message"), [
    (b"", "empty file"),
    (b" \n\t\r\n  ", "whitespace only"),
    (PNG_BYTES, "binary content (looks like PNG)"),
    (b"\x7fELF\x02\x01\x01\x00" + bytes(range(40)), "binary content (looks like ELF executable)"),
    (b"\x80\x80\x80\x80 abc", "undecodable"),
])
def test_bad_files_are_rejected_with_a_clear_message(tmp_path, data, message):
    assert error_of(write(tmp_path, "bad.txt", data)).startswith(message)


def test_files_over_the_size_limit_are_rejected(tmp_path, monkeypatch):
    monkeypatch.setattr(read, "MAX_PAGE_BYTES", 1024)
    error = error_of(write(tmp_path, "big.txt", ARTICLE * 40))
    assert error.startswith("too large:") and "MB limit" in error


def test_unreadable_file_is_rejected(tmp_path):
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        pytest.skip("root can read any file")
    path = write(tmp_path, "locked.txt", ARTICLE)
    path.chmod(0)
    try:
        assert error_of(path).startswith("unreadable")
    finally:
        path.chmod(0o644)


def test_read_errors_become_rejects(tmp_path, monkeypatch):
    path = write(tmp_path, "denied.txt", ARTICLE)

    def deny(path, limit):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(read, "read_bytes_upto", deny)
    assert error_of(path) == "unreadable: Permission denied"


def test_reading_never_modifies_files(tmp_path):
    paths = [write(tmp_path, "a.txt", ARTICLE), write(tmp_path, "b.txt", PNG_BYTES),
             write(tmp_path, "c.jsonl", json.dumps({"text": ARTICLE}, ensure_ascii=False) + "\n")]
    before = [(p.read_bytes(), p.stat().st_mtime_ns) for p in paths]
    for path in paths:
        read.read_file(path)
    assert [(p.read_bytes(), p.stat().st_mtime_ns) for p in paths] == before


def test_html_page_is_reduced_to_its_article_with_metadata(tmp_path):
    html = f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>包头稀土储量占全国八成-示例网</title>
    <meta property="article:published_time" content="2024-05-06T08:00:00+08:00"></head><body>
    <nav><a href="/">首页</a> <a href="/news">新闻</a> <a href="/about">关于我们</a></nav>
    <article><h1>包头稀土储量占全国八成</h1>
    <p>{ARTICLE}</p><p>专家表示，稀土产业链的完善将带动更多就业岗位，推动地方经济转型升级和可持续发展。</p>
    </article><footer>版权所有 示例网 京ICP备00000000号</footer></body></html>"""
    page = read_one(write(tmp_path, "page.html", html))
    assert page.html is not None and "<nav>" in page.html
    assert "被誉为“稀土之都”" in page.text and "推动地方经济转型" in page.text
    assert "京ICP备" not in page.text and "关于我们" not in page.text
    assert page.hints["title"] == "包头稀土储量占全国八成"
    assert page.hints["date"] == "2024-05-06"


def test_html_declaring_gb2312_is_decoded_by_its_real_encoding(tmp_path):
    body = f"<html><head><meta charset=gb2312><title>稀土</title></head><body><p>{ARTICLE}</p></body></html>"
    utf8 = read_one(write(tmp_path, "utf8.html", body.encode("utf-8")))
    gbk = read_one(write(tmp_path, "gbk.html", body.encode("gb2312")))
    assert utf8.encoding == "utf-8" and gbk.encoding == "gb18030"
    assert "被誉为“稀土之都”" in utf8.text and "被誉为“稀土之都”" in gbk.text


def test_html_fragment_keeps_its_paragraphs(tmp_path):
    html = f"<div class='page'><p>{ARTICLE}</p><p>第二段：稀土永磁材料需求持续增长，企业纷纷扩大产能。</p></div>"
    page = read_one(write(tmp_path, "fragment.html", html))
    assert ARTICLE in page.text and "第二段：稀土永磁材料需求持续增长" in page.text


def test_tag_text_is_the_fallback_text_of_every_block():
    html = ("<html><head><title>标题</title><style>p {color: red}</style></head><body><script>var x = '<p>';</script>"
            "<div>第一段&amp;内容</div><p>第二段<br>第三行</p><!-- 注释 --></body></html>")
    lines = [line.strip() for line in read.tag_text(html).splitlines() if line.strip()]
    assert lines == ["第一段&内容", "第二段", "第三行"]


def test_metadata_labels_are_cleaned():
    assert read.clean_byline("作者：张三") == "张三"
    assert read.clean_byline("责任编辑：孔德明") == ""
    assert read.clean_byline("作者") == ""
    assert read.clean_sitename("人民网版权所有") == "人民网"
    assert read.clean_sitename("Copyright © 2017 Sohu.com Inc. All Rights Reserved.") == ""


def test_deeply_nested_html_does_not_crash(tmp_path):
    html = "<html><body>" + "<div>" * 5000 + f"<p>{ARTICLE}</p>" + "</div>" * 5000 + "</body></html>"
    page = read_one(write(tmp_path, "deep.html", html))
    assert ARTICLE in page.text


def test_txt_file_holding_html_is_parsed_as_html(tmp_path):
    html = f"<!doctype html><html><body><p>{ARTICLE}</p><p>{ARTICLE[:40]}还在继续推进各项工作。</p></body></html>"
    page = read_one(write(tmp_path, "saved.txt", html))
    assert page.html is not None and "<p>" not in page.text


def test_jsonl_records_become_pages_and_bad_records_rejects(tmp_path):
    lines = [
        json.dumps({"text": ARTICLE, "title": "标题一", "url": "https://example.com/1", "date": "2024-01-02"},
                   ensure_ascii=False),
        "",
        json.dumps({"html": f"<html><body><p>{ARTICLE}</p></body></html>", "title": "标题二"}, ensure_ascii=False),
        json.dumps({"url": "https://example.com/3"}),
        "{not json",
    ]
    path = write(tmp_path, "batch.jsonl", "\n".join(lines) + "\n")
    pages, rejects = read.read_file(path)
    assert [page.path for page in pages] == [f"{path}#1", f"{path}#3"]
    assert pages[0].hints == {"title": "标题一", "url": "https://example.com/1", "date": "2024-01-02"}
    assert pages[0].doc_id == read.doc_id_for(lines[0].encode("utf-8"))
    assert pages[1].html is not None and "稀土之都" in pages[1].text
    assert rejects == [{"path": f"{path}#4", "error": "record 4: no text or html field"},
                       {"path": f"{path}#5", "error": rejects[1]["error"]}]
    assert rejects[1]["error"].startswith("record 5: invalid JSON")


def test_jsonl_without_any_article_field_is_one_reject(tmp_path):
    path = write(tmp_path, "labels.jsonl", '{"file": "a.txt"}\n{"file": "b.txt"}\n{"file": "c.txt"}\n')
    assert read.read_file(path) == ([], [{"path": str(path),
                                          "error": "no record has a text or html field (3 records)"}])


def test_csv_rows_become_pages(tmp_path):
    path = write(tmp_path, "batch.csv", f'title,text,url\n标题,"{ARTICLE}",https://example.com/a\n空,,\n')
    pages, rejects = read.read_file(path)
    assert len(pages) == 1 and pages[0].text == ARTICLE and pages[0].hints["url"] == "https://example.com/a"
    assert pages[0].path == f"{path}#1"
    assert rejects == [{"path": f"{path}#2", "error": "record 2: no text or html field"}]


def test_find_input_files_walks_folders_and_reports_what_it_cannot_read(tmp_path):
    write(tmp_path, "a.txt", ARTICLE)
    write(tmp_path, "sub dir/稀土 新闻.html", "<p>x</p>")
    write(tmp_path, "sub dir/deeper/records.jsonl", "{}")
    write(tmp_path, "sub dir/deeper/table.csv", "text\nx\n")
    write(tmp_path, "noext", ARTICLE)
    write(tmp_path, "notes.md", "# not a page")
    write(tmp_path, ".hidden.txt", ARTICLE)
    (tmp_path / "sub dir" / "loop").symlink_to(tmp_path, target_is_directory=True)
    (tmp_path / "dangling.txt").symlink_to(tmp_path / "missing.txt")
    files, rejects = read.find_input_files([tmp_path, tmp_path / "nowhere"])
    names = [path.relative_to(tmp_path).as_posix() for path in files]
    assert names == ["a.txt", "noext", "sub dir/deeper/records.jsonl", "sub dir/deeper/table.csv",
                     "sub dir/稀土 新闻.html"]
    errors = {Path(row["path"]).name: row["error"] for row in rejects}
    assert errors["nowhere"].startswith("missing path")
    assert errors["notes.md"] == "unsupported file type '.md'"
    assert errors["loop"].startswith("symlink loop")
    assert errors["dangling.txt"].startswith("broken symlink")


def test_self_referencing_symlink_is_a_reject_not_a_hang(tmp_path):
    link = tmp_path / "self"
    link.symlink_to(link)
    files, rejects = read.find_input_files([link])
    assert files == [] and rejects == [{"path": str(link), "error": "symlink loop"}]


def test_pages_are_picklable_for_worker_processes(seed_path):
    page = read_one(seed_path)
    assert pickle.loads(pickle.dumps(page)) == page


def test_clean_title_drops_the_site_name():
    assert read.clean_title("武汉的声音：有英勇的你-新华网") == "武汉的声音：有英勇的你"
    assert read.clean_title("李克强同志遗体在京火化_中国共产党_哀悼") == "李克强同志遗体在京火化"
    assert read.clean_title("稀土行业发展规划(2016-2020年)") == "稀土行业发展规划(2016-2020年)"


def test_common_characters_are_counted_in_each_candidate_encoding():
    text = "這是稀土的新聞，我們在台灣發行。"
    assert len(read.characters_pattern(read.COMMON_TRADITIONAL).findall(text)) == sum(
        1 for character in text if character in read.COMMON_TRADITIONAL)
    assert read.characters_pattern({"[", "]", "^"}).findall("a[^]b") == ["[", "^", "]"]  # (characters escaped)
    assert read.best_chinese_encodings(text.encode("big5")) == ["big5", "gb18030"]
    assert read.best_chinese_encodings("这是稀土的新闻，我们在国内发行。".encode("gb18030")) == ["gb18030", "big5"]


def test_doc_id_is_the_start_of_the_sha256():
    assert read.doc_id_for(b"abc") == "ba7816bf8f01cfea"  # SHA-256 of "abc": ba7816bf8f01cfea414140de5dae2223...
    assert read.doc_id_for(b"") == "e3b0c44298fc1c14"


def test_read_bytes_upto_reads_on_when_one_read_stops_short(tmp_path, monkeypatch):
    path = tmp_path / "long.txt"
    text = "包头稀土储量占全国83.7%。" * 400
    path.write_text(text, encoding="utf-8")
    real_read = read.os.read
    monkeypatch.setattr(read.os, "read", lambda fd, n: real_read(fd, min(n, 1000)))  # as Linux does past ~2 GiB
    size, data = read.read_bytes_upto(path, 10**9)
    assert size == len(data) == len(text.encode("utf-8")) and data.decode("utf-8") == text
