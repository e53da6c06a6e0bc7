"""The shapes of answers for the templates."""


def test_a_new_recommendation_and_a_split_are_said_in_the_copys_preview():
    from assessments.presenters import crosswalk_lines
    from recommendations.crosswalk import Crosswalk

    walk = Crosswalk("2024", "2027", {1: (1,), 2: (2,), 3: (2,), 4: ()}, retired=(3,))
    assert crosswalk_lines(walk) == [
        {"number": 2, "relation": "split", "previous": "2", "also": "3"},
        {"number": 3, "relation": "split", "previous": "2", "also": "2"},
        {"number": 4, "relation": "new", "previous": "", "also": ""},
    ]
