"""What the benchmarks share: a throw-away database and real offices to fill it with."""

import contextlib


@contextlib.contextmanager
def throwaway_database():
    """A test database (in memory for SQLite; ``test_<name>`` on PostgreSQL), migrated, and
    dropped afterwards whatever happens."""
    from django.db import connection
    from django.test.utils import setup_test_environment

    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        yield connection
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


def real_offices(count: int):
    """The first ``count`` offices of the ST.3 list, stored: real codes, names and regions."""
    from portal.offices import st3
    from portal.offices.models import Office, OfficeType

    entries = list(st3.entries().values())[:count]
    return Office.objects.bulk_create(
        Office(
            code=e.code,
            name=e.name,
            region=e.region,
            office_type=OfficeType.REGIONAL if e.is_organization else OfficeType.NATIONAL,
        )
        for e in entries
    )
