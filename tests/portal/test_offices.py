import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from portal.offices import st3
from portal.offices.models import Office, OfficeType, Region
from tests.factories import make_office


def test_the_shipped_list_holds_states_and_organizations():
    codes = st3.entries()
    assert len(codes) > 230
    assert codes["AU"].name == "Australia"
    for organization in ("EP", "EM", "AP", "OA", "EA", "GC", "WO"):
        assert codes[organization].is_organization
        assert codes[organization].region == Region.REGIONAL_ORGANIZATIONS


@pytest.mark.django_db
def test_a_valid_code_is_accepted_and_region_and_type_follow_from_it():
    office = make_office("AU", "IP Australia")
    assert office.region == Region.ASIA_PACIFIC
    assert office.office_type == OfficeType.NATIONAL
    regional = make_office("EP", "European Patent Office")
    assert regional.region == Region.REGIONAL_ORGANIZATIONS
    assert regional.office_type == OfficeType.REGIONAL


@pytest.mark.django_db
def test_a_code_in_the_wrong_case_is_stored_in_capitals():
    office = make_office(" au", "IP Australia")
    assert Office.objects.get(pk=office.pk).code == "AU"


def test_the_validator_itself_says_codes_are_capitals():
    with pytest.raises(ValidationError, match="written in capitals: AU"):
        st3.validate_st3_code("au")


@pytest.mark.django_db
def test_an_unknown_code_is_refused_with_the_closest_valid_codes():
    office = Office(code="UK", name="UK Intellectual Property Office")
    with pytest.raises(ValidationError) as refused:
        office.full_clean()
    message = refused.value.message_dict["code"][0]
    assert "“UK” is not a WIPO ST.3 code" in message
    assert "GB (United Kingdom)" in message
    assert Office.objects.count() == 0


def test_a_swapped_pair_of_letters_suggests_the_code_first():
    assert st3.closest_codes("UA")[0].code == "UA"
    assert st3.closest_codes("ZN")[0].code == "NZ"


def test_a_typo_on_a_neighbouring_key_comes_before_a_distant_one():
    # Q is next to W on the keyboard, and WO is valid; XO is not a code.
    codes = [entry.code for entry in st3.closest_codes("QO")]
    assert codes[0] == "WO"


def test_a_name_typed_instead_of_a_code_finds_the_code():
    assert st3.closest_codes("Australia")[0].code == "AU"
    assert "EP" in [e.code for e in st3.closest_codes("European Patent", limit=5)]


def test_nothing_close_gives_a_plain_refusal():
    with pytest.raises(ValidationError, match=r"“@@” is not a WIPO ST.3 code.'\]"):
        st3.validate_st3_code("@@")


@pytest.mark.django_db
def test_an_organization_cannot_be_a_national_office():
    office = Office(code="EP", name="European Patent Office", office_type=OfficeType.NATIONAL)
    with pytest.raises(ValidationError, match="an organization, not a state"):
        office.full_clean()


@pytest.mark.django_db
def test_one_office_per_code():
    make_office("AU")
    with pytest.raises(IntegrityError):
        Office.objects.create(
            code="AU", name="Another", region="asia_pacific", office_type="national"
        )
