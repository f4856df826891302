"""The categories a community starts with (seeds 001–003: clutter in stairwells, flying-wire
charging, facilities, neighbour disputes…). Installed by migration 0002; tests whose database
is flushed between them (transactional and browser tests) install them again. Afterwards they
are data that staff change on their pages."""

# code, name, group, level, handler role, hours to accept, hours to resolve, urgent, public
CATEGORIES = [
    ("hygiene", "环境卫生", "环境", 1, "grid_worker", 24, 72, False, True),
    ("clutter", "楼道堆物", "环境", 1, "grid_worker", 24, 72, False, True),
    ("flying-wire", "飞线充电", "安全", 1, "grid_worker", 2, 24, True, True),
    ("safety", "安全隐患", "安全", 1, "grid_worker", 2, 24, True, True),
    ("facility", "公共设施损坏", "设施", 1, "property_manager", 24, 120, False, True),
    ("elevator", "电梯故障", "设施", 1, "property_manager", 2, 24, True, True),
    ("water-leak", "漏水渗水", "设施", 1, "property_manager", 12, 72, False, True),
    ("greenery", "绿化养护", "环境", 1, "property_manager", 48, 168, False, True),
    ("parking", "停车秩序", "秩序", 2, "community_staff", 24, 120, False, True),
    ("noise", "噪音扰民", "秩序", 1, "grid_worker", 24, 72, False, True),
    ("dispute", "邻里纠纷", "调解", 2, "community_staff", 24, 168, False, False),
    ("other", "其他", "其他", 1, "grid_worker", 24, 120, False, True),
]

ATTRIBUTES = {
    "elevator": [
        ("elevator", "string", "哪部电梯？", "如：2号电梯", True, []),
        (
            "trapped",
            "singlevaluelist",
            "是否有人被困？",
            "",
            True,
            [{"key": "yes", "name": "有人被困"}, {"key": "no", "name": "无人被困"}],
        ),
    ],
    "water-leak": [
        (
            "where",
            "singlevaluelist",
            "漏水位置",
            "",
            True,
            [
                {"key": "ceiling", "name": "天花板"},
                {"key": "wall", "name": "墙面"},
                {"key": "pipe", "name": "管道"},
                {"key": "roof", "name": "屋面"},
            ],
        ),
    ],
    "parking": [
        ("plate", "string", "车牌号（如知道）", "", False, []),
    ],
}


def install(apps=None) -> None:
    """Create the default categories that are missing (migrations pass their historical apps)."""
    if apps is None:
        from django.apps import apps
    Category = apps.get_model("reports", "Category")
    Attribute = apps.get_model("reports", "CategoryAttribute")
    for order, (code, name, group, level, role, accept, resolve, urgent, public) in enumerate(
        CATEGORIES
    ):
        category, _ = Category.objects.get_or_create(
            code=code,
            defaults=dict(
                name=name,
                group=group,
                level=level,
                handler_role=role,
                accept_hours=accept,
                resolve_hours=resolve,
                urgent=urgent,
                is_public=public,
                sort_order=order,
            ),
        )
        for i, (acode, kind, question, hint, required, values) in enumerate(
            ATTRIBUTES.get(code, [])
        ):
            Attribute.objects.get_or_create(
                category=category,
                code=acode,
                defaults=dict(
                    datatype=kind,
                    description=question,
                    datatype_description=hint,
                    required=required,
                    values=values,
                    order=i,
                ),
            )
