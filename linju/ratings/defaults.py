"""The rubric templates every scope may copy (seeds 001, 002), installed adopted by migration
0002; tests whose database is flushed install them again. A scope copies a template into a
draft, changes it (with its residents) and adopts its own version."""

CONTEST = "hongdongli"
STARS = "party-stars"
EVALUATION = "resident-evaluation"

# code, title, description, kind, max points, exemptions, evidence required, breaks ties
CONTEST_ITEMS = [
    (
        "disputes",
        "矛盾纠纷",
        "单元内邻里和睦，无升级的矛盾纠纷，纠纷在楼栋内及时化解。",
        "score",
        20,
        "",
        False,
        False,
    ),
    (
        "civility",
        "文明新风",
        "文明养犬、不高空抛物、不乱停乱放，移风易俗，邻里互助。",
        "score",
        20,
        "",
        False,
        False,
    ),
    (
        "family",
        "家教家风",
        "孝老爱亲、家庭和睦，传承好家风好家训。",
        "score",
        20,
        "",
        False,
        False,
    ),
    (
        "hygiene",
        "环境卫生",
        "楼道整洁，无杂物堆放，无乱贴乱画，垃圾分类投放。",
        "score",
        20,
        "轮椅、婴儿车等居民生活必需品不作为楼道杂物扣分。",
        True,
        True,
    ),
    (
        "volunteering",
        "志愿服务",
        "单元居民参与志愿服务和小区共建活动。",
        "score",
        20,
        "",
        False,
        False,
    ),
    (
        "uncivil",
        "不文明行为",
        "经核实的高空抛物、违规饲养、占用消防通道等不文明行为，视情节扣分。",
        "deduction",
        10,
        "",
        True,
        False,
    ),
    (
        "university",
        "考取大学",
        "本年度考取大学（含大专）的学子所在单元予以加分。",
        "bonus",
        5,
        "",
        True,
        False,
    ),
    (
        "flying_wire",
        "飞线充电",
        "单元内有飞线充电（从楼上拉线给电动自行车充电）行为的，实行一票否决。",
        "veto",
        0,
        "",
        True,
        False,
    ),
]

STARS_ITEMS = [
    ("study", "政治学习", "参加组织生活和政治学习。", "score", 20, "", False, False),
    (
        "example",
        "亮明身份",
        "在小区、楼道亮明党员身份，带头遵守公约。",
        "score",
        20,
        "",
        False,
        False,
    ),
    ("service", "志愿服务", "参加志愿服务、联系服务群众。", "score", 30, "", False, False),
    ("governance", "参与治理", "参与议事协商、化解矛盾、反映民意。", "score", 20, "", False, False),
    ("dues", "按时交纳党费", "按时足额交纳党费。", "score", 10, "", False, False),
]
# 五星 90+, 四星 80+, 三星 70+, 二星 60+, 一星 below.
STARS_BANDS = [(90, 5), (80, 4), (70, 3), (60, 2), (0, 1)]

EVALUATION_ITEMS = [
    ("satisfaction", "总体满意度", "您对这件事的结果满意吗？", "score", 5, "", False, False),
    ("effect", "实际效果", "事情解决得怎么样？", "score", 5, "", False, False),
    ("timeliness", "办理及时", "办得是否及时？", "score", 5, "", False, False),
    ("openness", "公开透明", "过程和结果是否公开？", "score", 5, "", False, False),
]

TEMPLATES = [
    (
        CONTEST,
        "contest",
        "文明单元“红‘栋’力”评比细则",
        "以单元为单位，由社区、物业、业委会、居民代表四方每月评分，得分前三名的单元获得流动红旗；"
        "年底按获流动红旗次数前三名给予物业费补贴。",
        CONTEST_ITEMS,
        [],
    ),
    (
        STARS,
        "stars",
        "党员星级评定细则",
        "百分制，每年评定一次，按得分评定星级，亮星示范。",
        STARS_ITEMS,
        STARS_BANDS,
    ),
    (
        EVALUATION,
        "evaluation",
        "群众评价",
        "居民对办结事项和项目的评价，每项 1 至 5 分。",
        EVALUATION_ITEMS,
        [],
    ),
]


def install(apps=None):
    if apps is None:
        from django.apps import apps as django_apps

        apps = django_apps
    Rubric = apps.get_model("ratings", "Rubric")
    Item = apps.get_model("ratings", "RubricItem")
    Band = apps.get_model("ratings", "StarBand")
    for code, purpose, name, description, items, bands in TEMPLATES:
        rubric, created = Rubric.objects.get_or_create(
            code=code,
            version=1,
            defaults=dict(purpose=purpose, name=name, description=description, status="adopted"),
        )
        if not created:
            continue
        for position, (icode, title, text, kind, points, exempt, evidence, tie) in enumerate(
            items, 1
        ):
            Item.objects.create(
                rubric=rubric,
                position=position,
                code=icode,
                title=title,
                description=text,
                kind=kind,
                max_points=points,
                exemptions=exempt,
                evidence_required=evidence,
                tiebreak=tie,
            )
        for minimum, stars in bands:
            Band.objects.create(rubric=rubric, min_score=minimum, stars=stars)


def template(code):
    from .models import Rubric

    return Rubric.objects.get(code=code, version=1, place__isnull=True)
