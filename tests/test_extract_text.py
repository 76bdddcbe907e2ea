"""Main-text rules of newsarchive.extract (issue 10): charsets, rails, captions, end matter, fallbacks.

Small hand-written pages only; the dev sets are measured by bench/extraction.py.
"""

from __future__ import annotations

from newsarchive.extract.extractor import decode_html


def test_utf8_bytes_under_a_stale_multibyte_declaration_are_read_as_utf8():
    # A CMS that moved to UTF-8 but kept <meta charset=gb2312>: gb18030 would turn it to mojibake.
    html = "<html><head><meta charset='gb2312'><title>新闻标题</title></head><body><p>北京时间今天上午，市政府发布通知。</p></body></html>"
    assert "北京时间今天上午" in decode_html(html.encode("utf-8"))
    assert "北京时间今天上午" in decode_html(html.encode("utf-8"), "text/html; charset=GB2312")


def test_multibyte_declaration_stands_when_bytes_are_not_utf8():
    html = "<html><head><meta charset='gb2312'></head><body><p>北京时间今天上午，市政府发布通知。</p></body></html>"
    assert "北京时间今天上午" in decode_html(html.encode("gb2312"))
    sjis = "<html><head><meta charset='shift_jis'></head><body><p>東京都は本日、新しい計画を発表した。</p></body></html>"
    assert "東京都は本日" in decode_html(sjis.encode("shift_jis"))
