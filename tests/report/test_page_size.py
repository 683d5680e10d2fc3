"""page_size.py: a published page over 5 MB is refused by name."""
from analysis.report import page_size


def test_pages_over_the_limit_are_named_and_assets_and_downloads_are_no_pages(tmp_path):
    (tmp_path / "spending.html").write_bytes(b"x" * (page_size.LIMIT + 1))
    (tmp_path / "goals.html").write_bytes(b"x" * page_size.LIMIT)                      # exactly 5 MB: allowed
    (tmp_path / "assets").mkdir()
    (tmp_path / "assets" / "big.html").write_bytes(b"x" * (page_size.LIMIT + 1))
    (tmp_path / "profiles").mkdir()
    (tmp_path / "profiles" / "peine.html").write_bytes(b"x" * (6 * 1024 * 1024))
    found = page_size.oversized(tmp_path)
    assert found == ["profiles/peine.html: 6.0 MB", "spending.html: 5.0 MB"]
    assert "2 page(s) larger than 5 MB" in page_size.message(found) and "highlight" in page_size.message(found)
