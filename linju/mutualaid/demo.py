"""Demo mutual aid (邻里互助, seed 002: 心愿墙、闲置物品共享、共享图书角) in the demo community of
linju.people.demo: wishes on the wall (needs and offers; one claimed, one fulfilled with its
thanks), idle items to lend and give away, and the book corner's donated books with one out on
loan and one returned. Through the services; deterministic; the audit event `MARKER` says it
is loaded."""

from django.conf import settings
from django.db import transaction
from django.utils import translation

from linju.core import audit
from linju.core.models import AuditEvent
from linju.people import demo as people_demo

from . import services, services_sharing

MARKER = "mutualaid.demo.load"

WISHES = [
    ("need", "周末谁能帮忙接一下孩子放学？", "爸妈周六加班，下午四点半实验小学门口。"),
    ("offer", "退休教师，免费辅导小学数学", "每周二、四晚上，在社区活动室。"),
    ("need", "求借一个折叠梯子", "换灯泡用，一小时就还。"),
    ("offer", "家里有多余的花苗，送给邻居", "月季、绣球各几棵，自取。"),
    ("need", "想找人一起晨练太极", "每天早上六点半，小区中心花园。"),
    ("offer", "会修自行车，可以帮忙看看", "周末上午在楼下。"),
]
THINGS = [
    ("lend", "电钻（带钻头）", "借用请一周内归还。"),
    ("give", "婴儿推车", "九成新，孩子大了用不上了。"),
    ("book", "《平凡的世界》全三册", "业主捐赠，共享图书角。"),
    ("book", "《小王子》", "业主捐赠，共享图书角。"),
    ("book", "《红楼梦》", "业主捐赠，共享图书角。"),
    ("swap", "儿童绘本一套", "想换同龄段的科普书。"),
]


def is_loaded() -> bool:
    return AuditEvent.objects.filter(verb=MARKER).exists()


def load_demo(*, progress=None) -> dict | None:
    with transaction.atomic(), translation.override(settings.LANGUAGE_CODE):
        if is_loaded():
            return None
        cast = people_demo.cast(limit=60)
        if cast is None or len(cast.residents) < 16:
            return None
        people = [u for u, _h in cast.residents[::3]]
        posts = [
            services.create_post(user=people[i], kind=kind, title=title, body=body)
            for i, (kind, title, body) in enumerate(WISHES)
        ]
        services.claim_post(user=people[7], post_id=posts[2].pk)
        services.fulfil_post(user=people[2], post_id=posts[2].pk, thanks="谢谢邻居，梯子已还！")
        services.claim_post(user=people[8], post_id=posts[0].pk)
        items = [
            services_sharing.create_item(
                user=people[(i + 2) % len(people)], kind=kind, title=title, description=text
            )
            for i, (kind, title, text) in enumerate(THINGS)
        ]
        borrower, reader = people[9], people[10]
        services_sharing.request_item(user=borrower, item_id=items[2].pk)
        services_sharing.hand_over(user=items[2].owner, item_id=items[2].pk)
        services_sharing.request_item(user=reader, item_id=items[3].pk)
        services_sharing.hand_over(user=items[3].owner, item_id=items[3].pk)
        services_sharing.return_item(user=reader, item_id=items[3].pk)
        counts = {"wishes": len(posts), "shared_items": len(items)}
        audit.record(actor=None, verb=MARKER, obj=cast.community, data=counts)
    if progress:
        progress("mutualaid", f"{len(posts)} wishes")
    return counts
