import gzip
import os
import re

import pytest
from django.core.cache import cache
from django.urls import reverse

from portal import compression
from tests.kpi.test_views import ASIA_PACIFIC, EUROPE, survey

# Blocks as a view names them: text, found in the encoded body.
CHART = "<svg>" + "".join(f"<rect x='{n}' y='{n * 7 % 13}'/>" for n in range(2000)) + "</svg>"
HEATMAP = "<table>" + "".join(f"<tr><td>{n}</td></tr>" for n in range(2000)) + "</table>"
NAMES = "<ul>" + "".join(f"<li>محمد 李 {n}</li>" for n in range(2000)) + "</ul>"


@pytest.fixture(autouse=True)
def _nothing_kept_from_another_test():
    compression._kept.clear()
    cache.clear()


def _page(*middle: str) -> bytes:
    # Random bytes stand for the secrets of a page (its CSRF token), compressed each time.
    return f"<html><p>{os.urandom(40).hex()}</p>{'<hr>'.join(middle)}</html>".encode()


@pytest.mark.parametrize(
    "content",
    [
        _page(CHART, HEATMAP),
        (CHART + HEATMAP).encode(),  # the blocks at the very start and end, nothing between
        ("x" * 100_000 + CHART + "y" * 100_000 + HEATMAP + "z").encode(),  # a window apart
    ],
)
def test_a_page_with_kept_blocks_decompresses_to_the_same_bytes(content):
    compressed = compression.gzip_with_kept(content, [CHART, HEATMAP], max_random_bytes=100)
    assert gzip.decompress(compressed) == content


def test_a_kept_block_is_compressed_once_for_every_page_that_shows_it():
    first = compression.gzip_with_kept(_page(CHART), [CHART], max_random_bytes=1)
    second_page = _page(CHART)
    second = compression.gzip_with_kept(second_page, [CHART], max_random_bytes=1)
    assert len(compression._kept) == 1
    assert gzip.decompress(second) == second_page
    assert first != second  # the parts around the block are compressed for each page


def test_a_block_in_arabic_and_chinese_is_found_by_its_encoded_bytes():
    content = _page(NAMES, CHART)
    compressed = compression.gzip_with_kept(content, [NAMES, CHART], max_random_bytes=1)
    assert gzip.decompress(compressed) == content
    assert len(compression._kept) == 2


def test_a_block_whose_first_bytes_come_earlier_in_the_page_is_found_where_it_is_whole():
    # The page quotes the block's opening before the block itself.
    content = _page(CHART[:300], HEATMAP, CHART)
    compressed = compression.gzip_with_kept(content, [CHART], max_random_bytes=1)
    assert gzip.decompress(compressed) == content


def test_a_block_no_longer_in_the_body_is_not_taken_from_memory():
    # A later step rewrote the body: it is compressed whole, as Django does.
    assert compression.gzip_with_kept(_page(HEATMAP), [CHART], max_random_bytes=100) is None


def test_the_blocks_are_looked_for_in_the_order_they_were_named():
    assert (
        compression.gzip_with_kept(_page(CHART, HEATMAP), [HEATMAP, CHART], max_random_bytes=1)
        is None
    )


def test_a_small_block_is_compressed_with_its_page():
    class Answer:
        pass

    answer = Answer()
    compression.mark(answer, "<p>small</p>", "")
    assert not hasattr(answer, "kept_blocks")


def test_the_compressed_size_varies_so_that_a_secret_cannot_be_guessed_from_it():
    content = _page(CHART)
    sizes = {
        len(compression.gzip_with_kept(content, [CHART], max_random_bytes=100)) for _ in range(8)
    }
    assert len(sizes) > 1


def _dashboard(client, **headers):
    return client.get(reverse("cycle_dashboard", args=[2025]), **headers)


def _without_tokens(html: bytes) -> bytes:
    # Each answer masks the CSRF token afresh.
    return re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", html)


def test_a_colead_reads_the_same_dashboard_compressed_or_not(client_of, colead, office):
    survey(office, ASIA_PACIFIC + EUROPE)
    client = client_of(colead)
    plain = _dashboard(client)
    compressed = _dashboard(client, HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    assert compressed["Content-Encoding"] == "gzip"
    assert int(compressed["Content-Length"]) == len(compressed.content)
    assert _without_tokens(gzip.decompress(compressed.content)) == _without_tokens(plain.content)
    assert len(compression._kept) == 1  # the dashboard's content, kept whole
    assert len(compressed.content) < len(plain.content) / 5


def test_a_respondent_reads_the_same_form_compressed_or_not(client_of, respondent, draft):
    client = client_of(respondent)
    address = f"/offices/AU/{draft.cycle.year}/"
    plain = client.get(address)
    compressed = client.get(address, HTTP_ACCEPT_ENCODING="gzip")
    assert compressed["Content-Encoding"] == "gzip"
    assert _without_tokens(gzip.decompress(compressed.content)) == _without_tokens(plain.content)
    assert len(compression._kept) == 1  # the sections


def test_a_form_with_typed_answers_is_compressed_whole(client_of, respondent, draft):
    # Rendered for this request only: nothing of it is worth keeping.
    response = client_of(respondent).post(
        f"/offices/AU/{draft.cycle.year}/",
        {"version": 0, "r1-status": "implemented"},
        HTTP_ACCEPT_ENCODING="gzip",
    )
    assert response.status_code == 400  # refused, shown again with what was typed
    assert b"</html>" in gzip.decompress(response.content)
    assert compression._kept == {}


def test_a_heatmap_found_by_a_search_is_compressed_with_its_page(client_of, colead, office):
    survey(office, ASIA_PACIFIC + EUROPE)
    response = _dashboard(client_of(colead), HTTP_ACCEPT_ENCODING="gzip")
    assert len(compression._kept) == 1
    compression._kept.clear()
    found = client_of(colead).get(
        reverse("cycle_dashboard", args=[2025]), {"office": "AU"}, HTTP_ACCEPT_ENCODING="gzip"
    )
    assert b">AU<" in gzip.decompress(found.content)
    assert len(compression._kept) == 1  # the charts only
    assert response.status_code == found.status_code == 200


def test_with_redis_down_a_colead_still_reads_the_dashboard_compressed(
    client_of, colead, office, settings
):
    # Nothing is kept in the cache then; the blocks drawn for the request are still spliced.
    from tests.portal.test_cache import DOWN

    survey(office, ASIA_PACIFIC + EUROPE)
    client = client_of(colead)
    settings.CACHES = DOWN
    plain = _dashboard(client)
    compressed = _dashboard(client, HTTP_ACCEPT_ENCODING="gzip")
    assert compressed["Content-Encoding"] == "gzip"
    assert _without_tokens(gzip.decompress(compressed.content)) == _without_tokens(plain.content)
