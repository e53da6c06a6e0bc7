"""Search finds things, in any language, and never what a reader may not see."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from practices import selectors, services
from practices.models import Practice


def publish(office, person, title, summary, *, numbers=(4,), **fields):
    values = {"kind": Practice.Kind.PROJECT, "status": Practice.Status.COMPLETED, **fields}
    practice = services.practice_create(
        office=office, user=person, numbers=list(numbers), title=title, summary=summary, **values
    )
    return services.practice_publish(practice=practice, user=person)


@pytest.fixture
def catalogue_entries(office, respondent, other_office, outsider):
    return {
        "zero_trust": publish(
            other_office,
            outsider,
            "Zero-trust architecture",
            "Identity-based access for all back-office systems.",
            numbers=[4],
        ),
        "blockchain": publish(
            other_office,
            outsider,
            "TMview synchronisation",
            "Blockchain-based synchronisation with TMview since 2024.",
            numbers=[6],
            tags=["blockchain"],
        ),
        "ai": publish(
            office,
            respondent,
            "AI classification",
            "IPC classification of patent applications.",
            numbers=[10],
        ),
        "russian": publish(
            other_office,
            outsider,
            "Облачная миграция",
            "Перенос внутренних систем в облако.",
            numbers=[8],
        ),
        "chinese": publish(
            other_office, outsider, "云迁移", "专利后台系统迁移到公共云。", numbers=[8]
        ),
    }


def search(user, **filters):
    return selectors.catalogue(user, selectors.Filters(**filters))


def test_a_search_for_blockchain_finds_the_entries_that_mention_it(respondent, catalogue_entries):
    assert [p.pk for p in search(respondent, q="blockchain").practices] == [
        catalogue_entries["blockchain"].pk
    ]


def test_a_search_for_zero_trust_finds_that_offices_security_work(respondent, catalogue_entries):
    assert [p.pk for p in search(respondent, q="zero trust").practices] == [
        catalogue_entries["zero_trust"].pk
    ]


def test_it_searches_in_other_scripts(respondent, catalogue_entries):
    assert [p.pk for p in search(respondent, q="облако").practices] == [
        catalogue_entries["russian"].pk
    ]
    assert [p.pk for p in search(respondent, q="公共云").practices] == [
        catalogue_entries["chinese"].pk
    ]


def test_punctuation_in_a_query_is_never_query_syntax(respondent, catalogue_entries):
    assert search(respondent, q="zero & | ! ' trust").total == 1


def test_filters_narrow_and_their_counts_follow(respondent, catalogue_entries):
    result = search(respondent, number=8)
    assert result.total == 2
    assert result.facets["number"] == {8: 2}
    assert search(respondent).facets["number"] == {4: 1, 6: 1, 8: 2, 10: 1}
    assert search(respondent, tag="Blockchain").total == 1


def test_a_hidden_entry_disappears_from_search(respondent, secretariat, catalogue_entries):
    services.practice_hide(
        practice=catalogue_entries["blockchain"], user=secretariat, reason="Check."
    )
    assert search(respondent, q="blockchain").total == 0


def test_drafts_and_task_force_entries_are_not_shown_to_other_offices(
    office, respondent, other_office, outsider, colead
):
    services.practice_create(
        office=other_office,
        user=outsider,
        numbers=[3],
        title="Draft data catalogue",
        summary="Not yet.",
        kind="project",
        status="planned",
    )
    publish(
        other_office,
        outsider,
        "Internal data catalogue",
        "For the task force.",
        numbers=[3],
        visibility=Practice.Visibility.TASK_FORCE,
    )

    assert search(respondent, q="catalogue").total == 0
    assert search(colead, q="catalogue").total == 1
    assert search(outsider, q="catalogue").total == 1


def test_an_anonymous_reader_sees_nothing(catalogue_entries):
    from django.contrib.auth.models import AnonymousUser

    assert search(AnonymousUser()).total == 0


def test_a_search_takes_the_same_queries_whatever_the_number_of_entries(
    respondent, other_office, outsider, catalogue_entries
):
    def count():
        with CaptureQueriesContext(connection) as queries:
            search(respondent, q="blockchain")
            search(respondent)
        return len(queries)

    before = count()
    for i in range(15):
        publish(
            other_office,
            outsider,
            f"Cloud migration {i}",
            "Moving to the cloud.",
            numbers=[8],
            tags=[f"t{i}"],
        )
    assert count() == before


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the GIN index is PostgreSQL's")
def test_the_search_can_use_the_full_text_index(respondent, catalogue_entries):
    queryset = selectors._match(Practice.objects.all(), "blockchain")
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        plan = queryset.explain()
    assert "practice_search" in plan


def test_the_entry_that_says_it_most_comes_first(respondent, other_office, outsider):
    once = publish(other_office, outsider, "Archive", "Cloud storage for the archive.", numbers=[8])
    thrice = publish(
        other_office,
        outsider,
        "Cloud first",
        "Cloud back end, cloud forms, cloud search.",
        numbers=[8],
    )
    assert [p.pk for p in search(respondent, q="cloud").practices] == [thrice.pk, once.pk]
