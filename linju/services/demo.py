"""Demo assisted services (帮办代办) and mobile desk (流动办公桌, seed 002) in the demo community of
linju.people.demo: the community's service list, bookable slots in the coming days, residents'
requests in every state (waiting, accepted, done, declined with its reason, one with a slot
booked), and the mobile desk's sittings in each estate. Through the services; deterministic;
the audit event `MARKER` says it is loaded."""

import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation

from linju.core import audit
from linju.core.models import AuditEvent
from linju.people import demo as people_demo

from . import services

MARKER = "services.demo.load"

CATALOGUE = [
    (
        "居住证办理协助",
        "帮您准备材料、预约派出所窗口",
        "身份证、租房合同、照片两张",
        "grid_worker",
        5,
    ),
    ("老年人优待证代办", "65周岁以上老人免费乘车、游园", "身份证、一寸照片", "community_staff", 3),
    ("城乡居民医保缴费", "帮您在手机上或窗口缴费", "身份证、社保卡", "grid_worker", 2),
    ("低保申请咨询", "政策咨询、材料初审", "户口簿、收入证明", "community_staff", 10),
    ("开具居住证明", "社区出具居住证明", "身份证、房产证或租房合同", "community_staff", 1),
    ("残疾人证办理协助", "预约鉴定、代交材料", "身份证、病历、照片", "grid_worker", 15),
]


def is_loaded() -> bool:
    return AuditEvent.objects.filter(verb=MARKER).exists()


def load_demo(*, progress=None) -> dict | None:
    with transaction.atomic(), translation.override(settings.LANGUAGE_CODE):
        if is_loaded():
            return None
        cast = people_demo.cast(limit=60)
        if cast is None or len(cast.residents) < 8:
            return None
        staff, community = cast.staff, cast.community
        today = timezone.localdate()
        items = [
            services.create_item(
                user=staff,
                place_id=community.pk,
                name=name,
                description=what,
                materials=materials,
                handling_role=role,
                time_limit_days=days,
            )
            for name, what, materials, role, days in CATALOGUE
        ]
        slots = [
            services.publish_slot(
                user=staff,
                place_id=community.pk,
                day=today + datetime.timedelta(days=d),
                starts=datetime.time(9, 0),
                ends=datetime.time(11, 30),
                capacity=6,
            )
            for d in (1, 2, 3, 6)
        ]
        residents = [u for u, _h in cast.residents[3::5][:8]]
        made = []
        for i, user in enumerate(residents):
            item = items[i % len(items)]
            slot = slots[i % len(slots)] if i % 2 == 0 else None
            made.append(
                services.request_service(
                    user=user,
                    item_id=item.pk,
                    slot_id=slot.pk if slot else None,
                    note="上午方便" if slot else "",
                )
            )
        services.accept_request(user=staff, request=made[1], note="材料齐全，已受理")
        services.accept_request(user=staff, request=made[2])
        services.complete_request(user=staff, request=made[2], note="已办结，证件已送达")
        services.decline_request(
            user=staff, request=made[3], reason="不在本社区办理范围，请到街道政务服务中心"
        )
        services.add_note(user=staff, request=made[0], text="已电话联系，约好时间上门")
        desk = 0
        for i, estate in enumerate(cast.estates):
            services.schedule_desk(
                user=staff,
                place_id=estate.pk,
                day=today + datetime.timedelta(days=2 + 7 * (i % 2)),
                starts=datetime.time(15, 0),
                ends=datetime.time(17, 0),
                location=f"{estate.name}东门凉亭",
                staff=f"{staff.name}、网格员",
            )
            desk += 1
        counts = {
            "service_items": len(items),
            "service_requests": len(made),
            "mobile_desk_sittings": desk,
        }
        audit.record(actor=None, verb=MARKER, obj=community, data=counts)
    if progress:
        progress("services", f"{len(made)} requests")
    return counts
