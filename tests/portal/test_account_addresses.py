"""One e-mail address, one account: addresses are stored, looked up and counted in one form."""

import importlib

import pytest
from django.apps import apps
from django.urls import reverse

from portal.accounts.models import User
from tests.factories import make_person

pytestmark = pytest.mark.django_db

migration = importlib.import_module("portal.accounts.migrations.0002_emails_in_normal_form")


def test_an_address_is_stored_in_its_normal_form(db):
    person = make_person("  Jorg.STRAßE@ＩＰＡＵＳＴＲＡＬＩＡ.test ")
    assert User.objects.get(pk=person.pk).email == "jorg.strasse@ipaustralia.test"


def test_an_address_changed_in_the_console_is_stored_in_its_normal_form(client_of, respondent):
    respondent.email = "Robin.New@IPAUSTRALIA.test"
    respondent.save()
    assert User.objects.get(pk=respondent.pk).email == "robin.new@ipaustralia.test"


def test_the_console_refuses_another_spelling_of_an_address_in_use(client_of, secretariat):
    make_person("jorg.strasse@ipaustralia.test")
    response = client_of(secretariat).post(
        reverse("admin:accounts_user_add"),
        {"email": "Jorg.Strasse@IPAUSTRALIA.TEST", "usable_password": "false"},
    )
    assert response.status_code == 200
    assert "already exists" in response.content.decode()
    assert User.objects.filter(email="jorg.strasse@ipaustralia.test").count() == 1


def test_a_reset_link_goes_to_the_account_of_any_spelling_of_its_address(client, db):
    from django.core import mail

    person = make_person("jorg.strasse@ipaustralia.test")
    client.post(reverse("password_reset"), {"email": "JORG.STRASSE@ＩＰＡＵＳＴＲＡＬＩＡ.test"})
    assert [message.to for message in mail.outbox] == [[person.email]]


def test_a_look_alike_address_gets_no_reset_link(client, respondent):
    from django.core import mail

    client.post(reverse("password_reset"), {"email": "robın@ıpaustralıa.test"})
    assert mail.outbox == []


def test_the_migration_brings_stored_addresses_to_their_normal_form(db):
    person = make_person("jorg.strasse@ipaustralia.test")
    User.objects.filter(pk=person.pk).update(email="Jorg.Straße@ipaustralia.test")
    migration.normalise_emails(apps, None)
    assert User.objects.get(pk=person.pk).email == "jorg.strasse@ipaustralia.test"


def test_the_migration_stops_and_names_two_accounts_that_become_one_address(db):
    first = make_person("jorg.strasse@ipaustralia.test")
    second = make_person("someone@ipaustralia.test")
    User.objects.filter(pk=second.pk).update(email="jorg.straße@ipaustralia.test")
    with pytest.raises(RuntimeError, match=f"accounts {first.pk} and {second.pk}"):
        migration.normalise_emails(apps, None)
    assert User.objects.get(pk=second.pk).email == "jorg.straße@ipaustralia.test"
