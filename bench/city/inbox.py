"""Stage "inbox": in-app notifications (core.Notification), about three per resident.

Decisions, role grants and liaison links are read back from the stages that made them, so
each message names a real household or role; verification requests of the last month go to
the community workers; notices from 党员中心户 make up the rest. 30% stay unread.
"""

from collections import defaultdict

from .copy import DAY, NULL, ts
from .names import person_name
from .people import OTHER_PERSONS

UNREAD = 0.3
TARGET = (1, 2, 3, 3, 4, 5)  # messages a resident has, drawn uniformly: 3 on average
RECENT_REQUESTS = 30 * DAY  # decided requests whose notices the workers still have
ROLE_LABELS = {  # zh-hans labels of linju.people.roles.Role
    "unit_head": "单元长",
    "building_head": "楼栋长",
    "floor_head": "楼层长",
    "grid_worker": "网格员",
    "community_staff": "社区工作者",
    "property_manager": "物业",
    "owners_committee": "业委会成员",
    "partner": "共建单位",
    "subdistrict_admin": "街道管理员",
}
NOTICES = [
    ("本周六上午楼栋集中消杀，请关好门窗", "消杀时间 9:00–11:00，家中有宠物的请提前安置。"),
    ("楼道杂物请于周日前清理", "消防通道须保持畅通，逾期未清理的将由物业统一处理。"),
    ("邀请您参加本月楼栋议事会", "本月议题：加装电梯意见征集、停车位划线，欢迎到场发言。"),
    ("明日 9:00–15:00 停水检修", "请提前储水，如有困难可联系党员中心户协助。"),
    ("独居老人关爱走访登记", "家中有独居老人的，请回复或到党员中心户登记，便于定期探访。"),
    ("垃圾分类督导志愿者招募", "每周二、四晚 7:00–8:00 在楼下投放点值守，可累计公益积分。"),
    ("电动车请勿入户充电", "请使用小区集中充电桩，楼道及家中充电存在火灾隐患。"),
    ("社区义诊本周日上午开展", "地点：社区党群服务中心，提供血压、血糖测量和健康咨询。"),
]
COLUMNS = "id, recipient_id, kind, title, body, url, created_at, read_at, emailed_at, webhooked_at"


def fill_inbox(ctx):
    plan, rng, conn = ctx.plan, ctx.rng, ctx.conn
    random_, randint, choice = rng.random, rng.randint, rng.choice
    latest = plan.anchor - 60
    label = plan.household_label

    # user id → [(created, kind, title, body, url)] of messages from earlier stages' rows
    notes = defaultdict(list)
    rows = conn.execute(
        "SELECT user_id, household_id, status, reason, extract(epoch FROM decided_at)::bigint"
        " FROM people_residency WHERE source <> 'roster' AND status IN ('verified', 'rejected')"
    ).fetchall()
    for uid, h, status, reason, at in rows:
        if status == "verified":
            title = f"您已通过审核，成为 {label(h)} 的成员"
        else:
            title = f"您绑定 {label(h)} 的申请未通过：{reason}"
        notes[uid].append((at, "residency.decision", title, "", "/"))
    # Requests of the last month, and the pending ones, wait in the workers' inboxes.
    requests = [(uid, h, at - 3600) for uid, h, _, _, at in rows if at > latest - RECENT_REQUESTS]
    del rows
    requests += conn.execute(
        "SELECT user_id, household_id, extract(epoch FROM requested_at)::bigint"
        " FROM people_residency WHERE status = 'pending'"
    ).fetchall()
    for uid, h, at in requests:
        comm = plan.community_of(h)
        grid = plan.grids[plan.buildings[plan.units[plan.hh_unit[h]].parent].grid]
        title = f"{person_name(OTHER_PERSONS + uid, ctx.seed)} 申请绑定 {label(h)}"
        for staff in [*plan.community_staff(comm), grid.worker]:
            notes[staff].append((at, "residency.request", title, "", "/people/verify/"))
    del requests
    for uid, role, at, scope in conn.execute(
        "SELECT g.user_id, g.role, extract(epoch FROM g.granted_at)::bigint,"
        " coalesce(p.name, gr.name) FROM people_rolegrant g"
        " LEFT JOIN places_place p ON p.id = g.place_id"
        " LEFT JOIN places_grid gr ON gr.id = g.grid_id"
    ):
        title = f"您已成为{scope}的{ROLE_LABELS[role]}"
        notes[uid].append((at, "role.grant", title, "", "/staff/"))
    liaison_of = dict(
        conn.execute(
            "SELECT s.household_id, u.name FROM people_liaisonhousehold_served s"
            " JOIN people_liaisonhousehold l ON l.id = s.liaisonhousehold_id"
            " JOIN people_user u ON u.id = l.member_id"
        ).fetchall()
    )

    def notice(uid, member):
        title, body = choice(NOTICES)
        at = max(plan.joined(uid) + DAY, plan.anchor - randint(DAY, 365 * DAY))
        who = f"党员中心户{member}" if member else "党员中心户"
        return (min(at, latest), "party.liaison", f"{who}：{title}", body, "/")

    def messages():
        for uid in range(1, plan.first_resident):
            yield uid, notes.pop(uid, [])
        for h in range(1, plan.households + 1):
            member = liaison_of.get(h)
            for uid in plan.members(h):
                mine = notes.pop(uid, [])
                if plan.second_home[h] and uid == plan.owner_uid[h]:
                    yield uid, mine  # the owner's messages came with their first home
                    continue
                target = choice(TARGET)
                if member:
                    mine.append(notice(uid, member))
                mine.extend(notice(uid, None) for _ in range(target - len(mine)))
                yield uid, mine
        for uid in range(plan.first_newcomer, plan.users + 1):
            yield uid, notes.pop(uid, [])

    first = ctx.next_id("core_notification")

    def lines():
        pk = first - 1
        for uid, mine in messages():
            mine.sort()
            for at, kind, title, body, url in mine:
                pk += 1
                sent = ts(at)
                read = NULL if random_() < UNREAD else ts(min(at + randint(60, 2 * DAY), latest))
                yield (
                    f"{pk}\t{uid}\t{kind}\t{title}\t{body}\t{url}\t{sent}\t{read}\t{NULL}\t"
                    f"{ts(at + 5)}\n"  # delivered to the webhook (SMS / WeChat) at once
                )

    ctx.copy("core_notification", COLUMNS, lines())


def expected_inbox(plan) -> int:
    return plan.residents * sum(TARGET) // len(TARGET)
