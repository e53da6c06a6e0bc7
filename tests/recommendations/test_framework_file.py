"""A whole framework in one file: out and back in, and every problem of a bad file with its
place (docs/framework-evolution.md)."""

import json

import pytest
from django.core.management import CommandError, call_command

from recommendations.framework_file import (
    FrameworkFileInvalid,
    framework_export,
    framework_import,
    framework_parse,
)
from recommendations.loader import read_framework_file
from recommendations.models import Framework
from recommendations.selectors import crosswalk_of
from tests.factories import framework_merging_2_8_9

pytestmark = pytest.mark.django_db


@pytest.fixture
def merged(framework):
    return framework_merging_2_8_9(status=Framework.Status.DRAFT)


def as_new_version(document: dict, version: str = "2030") -> dict:
    return {**document, "version": version}


def places(data) -> list[str]:
    return [problem.place for problem in framework_parse(data).problems]


def test_a_derived_framework_goes_out_and_back_in_the_same(merged):
    document = framework_export(merged)
    assert document["derived_from"] == "2024"
    assert {"previous": 8, "recommendation": 2} in document["crosswalk"]
    assert {"previous": 10, "recommendation": 8} in document["crosswalk"]
    merged.version = "2027-old"
    merged.save()
    framework_import(data=document)
    loaded = Framework.objects.get(version="2027")
    assert loaded.status == Framework.Status.DRAFT
    assert loaded.derived_from.version == "2024"
    assert framework_export(loaded) == document
    assert crosswalk_of(loaded).sources[2] == (2, 8, 9)


def test_a_dry_run_reports_and_writes_nothing(merged):
    report = framework_import(data=as_new_version(framework_export(merged)), dry_run=True)
    assert report.dry_run and report.derived_from == "2024"
    assert report.relations[2] == "merged"
    assert not Framework.objects.filter(version="2030").exists()


def test_the_shipped_first_version_stays_loadable(framework):
    data = as_new_version(read_framework_file())
    assert "crosswalk" not in data
    framework_import(data=data)
    loaded = Framework.objects.get(version="2030")
    assert loaded.derived_from is None
    assert loaded.recommendations.count() == 10
    assert crosswalk_of(loaded) is None


def test_a_file_that_is_not_an_object_is_refused(framework):
    assert places([1, 2]) == [""]
    with pytest.raises(FrameworkFileInvalid):
        framework_import(data="not a framework")


def test_wrong_types_and_unknown_keys_are_named_with_their_place(framework):
    data = as_new_version(framework_export(framework))
    data["recommendations"][0]["number"] = "1"
    data["recommendations"][1]["levels"] = {"level": 1}
    data["recommendations"][2]["colour"] = "blue"
    data["adopted_on"] = "5 December 2024"
    data["crosswalk"] = {"previous": 1}
    found = places(data)
    assert "recommendations[0].number" in found
    assert "recommendations[1].levels" in found
    assert "recommendations[2].colour" in found
    assert "adopted_on" in found
    assert "crosswalk" in found
    assert not Framework.objects.filter(version="2030").exists()


def test_an_existing_version_label_is_refused(framework):
    assert places(framework_export(framework)) == ["version"]


def test_a_crosswalk_naming_numbers_that_do_not_exist_is_refused(merged):
    data = as_new_version(framework_export(merged))
    data["crosswalk"].append({"previous": 12, "recommendation": 2})
    data["crosswalk"].append({"previous": 3, "recommendation": 9})
    data["crosswalk"].append({"previous": "3", "recommendation": None})
    found = places(data)
    assert found == ["crosswalk[12].previous"]  # the types first: the rules need every line
    data["crosswalk"].pop()
    assert places(data) == ["crosswalk[10].previous", "crosswalk[11].recommendation"]


def test_a_crosswalk_of_an_unknown_version_is_refused(merged):
    data = as_new_version(framework_export(merged))
    data["derived_from"] = "1999"
    assert places(data) == ["derived_from"]


def test_a_derived_version_must_account_for_every_previous_recommendation(merged):
    data = as_new_version(framework_export(merged))
    data["crosswalk"] = [line for line in data["crosswalk"] if line["previous"] != 3]
    problems = framework_parse(data).problems
    assert [p.place for p in problems] == ["crosswalk"]
    assert "Previous recommendation 3 is not accounted for" in problems[0].message


def test_the_commands_write_and_check_a_file(merged, tmp_path, capsys):
    path = tmp_path / "framework_2027.json"
    call_command("export_framework", "2027", output=str(path))
    data = json.loads(path.read_text(encoding="utf-8"))
    path.write_text(json.dumps(as_new_version(data)), encoding="utf-8")
    call_command("load_framework", str(path), dry_run=True)
    out = capsys.readouterr().out
    assert "Dry run" in out and "2 merged" in out
    assert not Framework.objects.filter(version="2030").exists()
    call_command("load_framework", str(path))
    assert Framework.objects.get(version="2030").status == Framework.Status.DRAFT


def test_the_load_command_lists_every_problem_and_loads_nothing(framework, tmp_path, capsys):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({"version": "2030", "colour": "blue"}), encoding="utf-8")
    with pytest.raises(CommandError, match="nothing was loaded"):
        call_command("load_framework", str(path))
    assert "colour" in capsys.readouterr().err
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("load_framework", str(path))


def test_the_matrix_steps_go_out_and_back_in(framework):
    document = as_new_version(framework_export(framework))
    first = document["recommendations"][0]["actions"][0]
    assert first["moves_from_level"] in (1, 2, 3, 4)
    framework_import(data=document)
    loaded = Framework.objects.get(version="2030").recommendations.get(number=1)
    assert loaded.actions.get(position=1).moves_from_level == first["moves_from_level"]


def test_an_action_may_be_its_text_alone_and_a_step_past_four_is_named(framework):
    document = as_new_version(framework_export(framework))
    document["recommendations"][0]["actions"][0] = "Adopt a strategy."
    document["recommendations"][0]["actions"][1]["moves_from_level"] = 5
    assert places(document) == ["recommendations[0].actions[1].moves_from_level"]


def test_a_loaded_file_is_in_the_audit_log_and_a_dry_run_is_not(framework):
    from portal.audit.models import AuditEvent

    document = as_new_version(framework_export(framework))
    framework_import(data=document, dry_run=True)
    assert not AuditEvent.objects.filter(kind="framework_made").exists()
    framework_import(data=document)
    event = AuditEvent.objects.get(kind="framework_made")
    assert event.object_id == str(Framework.objects.get(version="2030").pk)
    assert event.detail == {"loaded_from_file": True, "derived_from": ""}


def test_the_same_version_loaded_meanwhile_is_refused_as_a_problem(framework, monkeypatch):
    """Two uploads of one version at once: the second passed the check before the first was
    written; it gets the check's problem, not an error page."""
    from recommendations import framework_file
    from recommendations.services import framework_copy

    document = as_new_version(framework_export(framework))
    applying = framework_file.framework_apply

    def someone_else_first(parsed):
        framework_copy(framework=framework, version="2030")
        return applying(parsed)

    monkeypatch.setattr(framework_file, "framework_apply", someone_else_first)
    with pytest.raises(FrameworkFileInvalid) as refused:
        framework_import(data=document)
    assert [problem.place for problem in refused.value.problems] == ["version"]
