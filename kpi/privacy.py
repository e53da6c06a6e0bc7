"""What of the aggregates an office may see: never a group of fewer than five offices.

Applied in one place, before any template or response sees a figure, so that a new page
cannot forget it.
"""

MIN_GROUP = 5


def shown_to_offices(group: dict | None) -> dict | None:
    """The group's figures, or None if too few offices answered to keep them anonymous."""
    if group is None or group.get("respondents", 0) < MIN_GROUP:
        return None
    return group
