"""The lists of community C1 of the test city: a partner acting through the `partner` user, a
need at building B1 and one at C1, a partner's resource and a resident's; made through the real
services. Import the fixtures into a test module."""

from dataclasses import dataclass

import pytest

from linju.projects import services_lists as services
from linju.reports.tests.conftest import media, submit  # noqa: F401  (fixtures)

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def pdf(name="agreement.pdf"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


@dataclass
class Lists:
    city: object
    manager: object
    partner: object  # 幸福物业 of C1, the `partner` user acting for it
    need: object  # a need at B1 from a visit
    other_need: object  # a need at C1 from a survey
    resource: object  # the partner's venue
    offer: object  # the owner's own expertise

    def u(self, key):
        return self.city.users[key]

    def p(self, key):
        return self.city.places[key]


def make_partner(
    city, *, place="C1", name="幸福物业", user="community_staff", members=("partner",)
):
    return services.create_partner(
        user=city.users[user],
        place_id=city.places[place].pk,
        name=name,
        kind="enterprise",
        contact_name="王经理",
        contact_phone="027-88886666",
        members=[city.users[m].pk for m in members],
    )


@pytest.fixture(name="lists")
def lists_fixture(city):
    manager = city.users["community_staff"]
    partner = make_partner(city)
    need = services.create_need(
        user=city.users["grid_worker"],
        place_id=city.places["B1"].pk,
        title="楼道灯坏了",
        source="visit",
        source_ref="入户走访 3月",
        households=12,
    )
    other = services.create_need(
        user=manager,
        place_id=city.places["C1"].pk,
        title="老人食堂",
        source="survey",
        households=80,
    )
    resource = services.create_resource(
        user=city.users["partner"],
        partner_id=partner.pk,
        title="会议室",
        kind="venue",
        quantity=1,
        unit="间",
    )
    offer = services.create_resource(
        user=city.users["owner"],
        place_id=city.places["U1"].pk,
        title="水电维修",
        kind="expertise",
        quantity=4,
        unit="小时",
    )
    return Lists(
        city=city,
        manager=manager,
        partner=partner,
        need=need,
        other_need=other,
        resource=resource,
        offer=offer,
    )
