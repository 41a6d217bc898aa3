from datetime import UTC, datetime

from labelwise.store.export_scan import iso


def test_postgres_times_keep_six_fraction_digits_so_they_sort_as_times():
    whole = datetime(2026, 11, 28, 3, 0, 0, tzinfo=UTC)
    later = datetime(2026, 11, 28, 3, 0, 0, 1, tzinfo=UTC)
    assert iso(whole) == "2026-11-28T03:00:00.000000Z"
    assert sorted([iso(later), iso(whole)]) == [iso(whole), iso(later)]


def test_sqlite_text_and_postgres_datetimes_read_the_same():
    assert iso("2026-11-28 03:00:00.000000") == iso(datetime(2026, 11, 28, 3, tzinfo=UTC))
