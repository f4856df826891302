"""The procedures and meeting kinds a community starts with (seeds 000–002). Installed by
migration 0002; tests whose database is flushed between them install them again. Afterwards
they are data that staff change (admin) or add to."""

ORGANISERS = ["community_staff", "subdistrict_admin"]
LOCAL_HOSTS = ["building_head", "unit_head", "owners_committee", *ORGANISERS]

# code, name, days of notice, quorum (numerator, denominator)
MEETING_KINDS = [
    ("yishihui", "议事会", 3, (0, 1)),
    ("yuanzihui", "院子会", 3, (0, 1)),
    ("loudonghui", "楼栋会", 3, (0, 1)),
    ("committees", "两委联席会议", 1, (1, 2)),
    ("rep_assembly", "居民代表会议", 7, (2, 3)),
    ("party_assembly", "党员大会", 7, (2, 3)),
    ("kentanhui", "民情恳谈会", 3, (0, 1)),
    ("tingzhenghui", "听证会", 7, (0, 1)),
    # Civil Code art. 285 / 业主大会议事规则: owners are told 15 days ahead.
    ("owners_assembly", "业主大会", 15, (0, 1)),
]

# code, name, description, stages: (code, name, completer roles, needs, meeting kind, publishes)
PROCEDURES = [
    (
        "four_two",
        "四议两公开",
        "党支部提议、两委商议、党员大会审议、居民代表会议决议；决议公开、实施结果公开。",
        [
            ("branch_proposes", "党支部提议", ORGANISERS, ["document"], "", False),
            ("committees_discuss", "两委商议", ORGANISERS, ["meeting"], "committees", False),
            (
                "members_review",
                "党员大会审议",
                ORGANISERS,
                ["meeting", "ballot"],
                "party_assembly",
                False,
            ),
            (
                "representatives_resolve",
                "居民代表会议决议",
                ORGANISERS,
                ["meeting", "ballot", "decision"],
                "rep_assembly",
                False,
            ),
            ("publish_decision", "决议公开", ORGANISERS, [], "", True),
            ("publish_result", "实施结果公开", ORGANISERS, ["tasks", "result"], "", True),
        ],
    ),
    (
        "four_step",
        "四步协商",
        "议题征集—方案论证—决策实施—结果评估（seed 000 的“议在一起”）。",
        [
            ("collect", "议题征集", LOCAL_HOSTS, [], "", True),
            ("plan_review", "方案论证", LOCAL_HOSTS, ["document", "meeting"], "yishihui", False),
            ("decide_implement", "决策实施", LOCAL_HOSTS, ["decision", "tasks"], "", True),
            ("evaluate", "结果评估", LOCAL_HOSTS, ["result"], "", True),
        ],
    ),
    (
        "meeting",
        "议事会议事",
        "收集议题、通知召集、民情会议、分解落实、结果公开、组织督导（seed 002 的议事流程）。",
        [
            ("collect", "收集议题", LOCAL_HOSTS, [], "", False),
            ("convene", "通知召集", LOCAL_HOSTS, ["meeting_noticed"], "yishihui", False),
            ("hold", "民情会议", LOCAL_HOSTS, ["meeting", "decision"], "yishihui", True),
            ("implement", "分解落实", LOCAL_HOSTS, ["tasks"], "", False),
            ("publish", "结果公开", LOCAL_HOSTS, ["result"], "", True),
            ("supervise", "组织督导", ORGANISERS, ["evaluation"], "", False),
        ],
    ),
]


def install(apps=None):
    if apps is None:
        from django.apps import apps as django_apps

        apps = django_apps
    Kind = apps.get_model("deliberation", "MeetingKind")
    Procedure = apps.get_model("deliberation", "Procedure")
    Stage = apps.get_model("deliberation", "Stage")
    for code, name, days, (num, den) in MEETING_KINDS:
        Kind.objects.get_or_create(
            code=code,
            defaults=dict(
                name=name, notice_days=days, quorum_numerator=num, quorum_denominator=den
            ),
        )
    for code, name, description, stages in PROCEDURES:
        procedure, _ = Procedure.objects.get_or_create(
            code=code, defaults=dict(name=name, description=description)
        )
        for order, (scode, sname, roles, needs, kind, publishes) in enumerate(stages, 1):
            Stage.objects.get_or_create(
                procedure=procedure,
                code=scode,
                defaults=dict(
                    order=order,
                    name=sname,
                    completer_roles=roles,
                    needs=needs,
                    meeting_kind=kind,
                    publishes=publishes,
                ),
            )
