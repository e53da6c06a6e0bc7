"""What of the aggregates an office may see: never a group of fewer than five offices.

Applied in one place, before any template or response sees a figure, so that a new page
cannot forget it.
"""

MIN_GROUP = 5


def peer_groups(document: dict | None, office) -> dict[str, dict | None]:
    """The groups an office is compared with: all respondents, its region and its office
    type, each None when too few offices are in it."""
    document = document or {}
    return {
        "all": shown_to_offices(document or None),
        "region": shown_to_offices(document.get("by_region", {}).get(office.region)),
        "type": shown_to_offices(document.get("by_office_type", {}).get(office.office_type)),
    }


def shown_to_offices(group: dict | None) -> dict | None:
    """The group's figures, or None if too few offices answered to keep them anonymous."""
    if group is None or group.get("respondents", 0) < MIN_GROUP:
        return None
    return group
