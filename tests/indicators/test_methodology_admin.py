"""The default methodology is switched in /admin/ by ticking "default" on another one."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from indicators.models import Methodology


@pytest.mark.django_db
def test_ticking_default_on_another_methodology_in_admin_moves_the_default(client):
    admin = get_user_model().objects.create_superuser("root", "root@example.org", "pw-12345678")
    client.force_login(admin)
    v1 = Methodology.objects.get(is_default=True)
    sample = Methodology.objects.create(version="s1", name="sample", parameters=v1.parameters)
    url = reverse("admin:indicators_methodology_change", args=[sample.pk])
    form = {"version": "s1", "name": "sample", "parameters": '{"scores": {}}', "is_default": "on"}
    response = client.post(url, form)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert list(Methodology.objects.filter(is_default=True)) == [sample]
