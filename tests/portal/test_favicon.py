import pytest
from django.contrib.staticfiles import finders
from django.templatetags.static import static
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_every_page_links_a_favicon_that_exists(client):
    html = client.get(reverse("login")).content.decode()
    assert f'<link rel="icon" href="{static("favicon.svg")}" type="image/svg+xml">' in html
    path = finders.find("favicon.svg")
    assert path
    with open(path) as icon:
        assert icon.read().startswith("<svg")
