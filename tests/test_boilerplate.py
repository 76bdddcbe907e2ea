"""Cross-page template learning (newsarchive/boilerplate.py)."""

from newsarchive.boilerplate import SiteBoilerplate

TEMPLATE = "Follow us on Twitter\nNEWS.example is not responsible for the content of external sites."


def _page(n: int) -> str:
    return f"Story number {n} begins with its own first sentence.\nIt goes on about topic {n}.\n{TEMPLATE}"


def test_recurring_lines_are_removed_after_enough_pages():
    bp = SiteBoilerplate(min_pages=3, min_share=0.5)
    for n in range(4):
        bp.observe("example.com", _page(n))
    text, removed = bp.clean("example.com", _page(9))
    assert "Follow us on Twitter" not in text
    assert "Story number 9 begins with its own first sentence." in text
    assert removed == TEMPLATE.split("\n")


def test_nothing_removed_before_min_pages():
    bp = SiteBoilerplate(min_pages=3)
    for n in range(2):
        bp.observe("example.com", _page(n))
    text, removed = bp.clean("example.com", _page(5))
    assert text == _page(5) and removed == []


def test_sites_are_learnt_separately():
    bp = SiteBoilerplate(min_pages=3)
    for n in range(5):
        bp.observe("a.example", _page(n))
    text, removed = bp.clean("b.example", _page(1))
    assert removed == [] and text == _page(1)


def test_line_repeated_within_one_page_counts_once():
    bp = SiteBoilerplate(min_pages=3)
    bp.observe("s", "Menu\nMenu\nMenu\nMenu")
    bp.observe("s", "Other text here")
    bp.observe("s", "Third page text")
    _, removed = bp.clean("s", "Menu\nBody")
    assert removed == []


def test_rare_lines_below_share_stay():
    bp = SiteBoilerplate(min_pages=3, min_share=0.5)
    for n in range(10):
        extra = "Related: a story seen thrice" if n < 3 else ""
        bp.observe("s", f"Unique line {n}\n{extra}")
    _, removed = bp.clean("s", "Related: a story seen thrice\nBody")
    assert removed == []  # 3 of 10 pages < 50%


def test_long_prose_lines_are_never_learnt():
    para = " ".join(["word"] * 40)
    bp = SiteBoilerplate(min_pages=2, max_words=25)
    for _ in range(5):
        bp.observe("s", para)
    text, removed = bp.clean("s", para)
    assert removed == [] and text == para


def test_matching_ignores_case_and_punctuation():
    bp = SiteBoilerplate(min_pages=3)
    for n in range(3):
        bp.observe("s", f"SHARE THIS STORY!\nBody {n}")
    _, removed = bp.clean("s", "Share this story\nBody")
    assert removed == ["Share this story"]


def test_memory_is_bounded_per_site_and_in_sites():
    bp = SiteBoilerplate(max_lines=100, max_sites=3)
    for n in range(500):
        bp.observe("s", f"unique line {n}\nconstant footer line")
    stats = bp._sites["s"]
    assert len(stats.counts) <= 100
    # the frequent line survives pruning
    _, removed = bp.clean("s", "constant footer line\nbody")
    assert removed == ["constant footer line"]
    for site in ("a", "b", "c"):
        bp.observe(site, "x")
    assert bp.pages_seen("s") == 0 and len(bp._sites) == 3
