"""Stage "reports": snap-and-report (随手拍, issue 4) over the sign-up years, with every step of
each report's timeline, "me too" supporters and the coordination threads of joint cases.

How many and where: Plan.reports() (5 per household), the first subdistrict holding
Plan.heavy_share() of them (issue 4's worst case: 2,000,000 of the city preset's 5,000,000).
When: the daily count grows with the residents who have signed up (linearly over the three
years), by the hour of a Chinese day; ids follow time, as a live system numbers them.

Each report lives the life the services give it (linju.reports.services), simulated with the
category's time limits: accepted (within the limit mostly, late sometimes) or rejected with a
reason, merged into an open report of the same building and category, dispatched to the
handler of the category's role, started, resolved with a reply, reopened now and then, then
confirmed (and rated) by the reporter or closed by the sweep after 7 days. A small share are
hard cases that take months. Whenever a running time limit passes before the next action,
the scheduled sweep (every SWEEP_EVERY seconds) escalates the report one level, as
services.sweep_overdue does; handlers also escalate by hand now and then (吹哨). What has not
happened by the anchor has not happened: those reports are open, or resolved and waiting.

The sweep last ran SWEEP_PAUSE before the anchor (a scheduler stopped over a weekend), so what
fell due since is overdue and waits for `python -m bench.sweep`, as the first run after such
an outage finds it; reports already with the district (level 4) stay overdue by design, the
sweep leaves them. Rows are COPYed: the reports streamed while their steps, supporters and
messages go to temporary files, COPYed next; the plain indexes are built afterwards.
Audit events and notifications of these transitions are not generated (the audit and inbox
stages stand for those tables).
"""

import tempfile
from bisect import bisect_right
from itertools import accumulate

from .copy import DAY, NULL, ts
from .plan import SIGNUP_YEARS, YEAR

HOUR = 3600
SWEEP_EVERY = 600  # manage.py sweep_reports runs every 10 minutes…
SWEEP_PAUSE = 48 * HOUR  # …and last ran two days before the anchor
VERIFIED_AFTER = 4 * DAY  # a resident reports once their residency is verified
AUTO_CLOSE = 7 * DAY  # services.AUTO_CLOSE_DAYS
MERGE_WINDOW = 30 * DAY  # duplicates of reports at most this old (queries.SIMILAR_DAYS)

REJECTED = 0.03
MERGED = 0.015
ACCEPT_LATE = 0.1  # accepted after the limit (up to twice it)
RESOLVE_LATE = 0.12  # resolved after the limit (up to twice it)
HARD = 0.05  # cases that take months (the district's backlog at the anchor)
HARD_DAYS = (10, 600)
DISPATCHED = 0.75  # the others are solved by whoever accepted them
STARTED = 0.8  # of the dispatched, a "work started" step
WHISTLE = 0.02  # the handler escalates by hand (吹哨)
REOPENED = 0.04
CONFIRMED = 0.55  # the others close themselves after 7 days
RATED_ON_CONFIRM = 0.65
RATED_LATER = 0.05
JOINT = 0.03  # of community-level reports: a joint case (三方协调)
SUPPORTED = 0.08  # public reports with "me too" from neighbours
ESTATE_PLACE = {"greenery": 0.4, "parking": 0.5, "hygiene": 0.25}  # else 0.05
UNIT_PLACE = 0.4
WITH_POINT = 0.2
HIDE_NAME = 0.2
TITLED = 0.5

WEIGHTS = {  # the category mix; a category staff added later weighs 2
    "hygiene": 16,
    "clutter": 14,
    "flying-wire": 5,
    "safety": 4,
    "facility": 12,
    "elevator": 4,
    "water-leak": 8,
    "greenery": 5,
    "parking": 12,
    "noise": 9,
    "dispute": 4,
    "other": 7,
}
# Local hour (Asia/Shanghai, UTC+8) → weight: residents report by day and in the evening.
HOUR_WEIGHTS = [1, 0.5, 0.3, 0.2, 0.2, 0.4, 1, 3, 6, 8, 8, 7, 5, 6, 7, 7, 6, 6, 6, 7, 6, 4, 3, 2]
UTC_OFFSET = 8 * HOUR

DESCRIPTIONS = {
    "hygiene": [
        "楼下垃圾桶满溢好几天没人清运，味道很大",
        "单元门口有狗粪没人清理",
        "小区路面油污严重",
    ],
    "clutter": [
        "楼道里堆满纸箱和旧家具，影响通行",
        "消防通道被杂物堵住了",
        "楼梯间有人放自行车和花盆",
    ],
    "flying-wire": ["有人从楼上拉电线下来给电动车充电", "楼道里电动车充电，插线板放在地上"],
    "safety": [
        "消防栓箱门坏了，里面水带不见了",
        "小区围墙有一段开裂倾斜",
        "井盖松动，晚上容易踩空",
    ],
    "facility": ["单元门禁坏了关不上", "楼道声控灯不亮", "信报箱门脱落", "路灯晚上不亮"],
    "elevator": ["电梯运行时异响抖动", "电梯按钮失灵，停不了楼层", "电梯门关不严"],
    "water-leak": ["楼上渗水，卫生间天花板一直滴水", "外墙渗水，墙面发霉", "楼道水管漏水"],
    "greenery": ["树枝太长挡住窗户和路灯", "草坪被踩秃了，黄土裸露", "绿化带里杂草丛生"],
    "parking": ["车辆长期占用消防通道", "有车停在单元门口挡路", "僵尸车停了半年没人挪"],
    "noise": ["楼上每晚十一点后还在装修打孔", "楼下广场舞音响太吵", "空调外机噪音很大"],
    "dispute": ["和邻居因为漏水赔偿谈不拢，想请社区调解", "邻居在公共走廊放鞋柜，协商不成"],
    "other": ["小区公告栏信息过期没人更新", "快递柜占用了消防登高面", "流浪猫太多，有孩子被抓伤"],
}
REPLIES = {
    "hygiene": "已安排保洁人员清理，并增加清运频次。",
    "clutter": "已联系住户清理楼道杂物，通道已畅通。",
    "flying-wire": "已拆除飞线，并告知住户使用小区集中充电桩。",
    "safety": "已排除隐患，并设置警示标识。",
    "facility": "物业已完成维修，恢复正常使用。",
    "elevator": "维保单位已检修完毕，电梯恢复运行。",
    "water-leak": "已查明漏点并完成修补，请继续观察。",
    "greenery": "已修剪树枝并清运枝叶。",
    "parking": "已联系车主挪车，并加强巡查。",
    "noise": "已上门沟通，住户承诺按规定时间施工。",
    "dispute": "已组织双方调解，达成一致意见。",
}
REPLY = "已处理完毕，感谢您的反映。"
REJECT_REASONS = [
    "不属于平台受理范围，已告知拨打12345热线",
    "属于户内维修，请联系物业有偿维修",
    "描述不清，请补充照片后重新提交",
]
WHISTLE_REASONS = ["需要社区协调物业处理", "涉及多方，网格内无法解决", "需街道协调相关部门"]
REOPEN_COMMENTS = ["问题仍未解决", "只处理了一部分", "过两天又出现了"]
RATING_COMMENTS = ["处理及时，点赞！", "师傅态度很好", "还可以", "处理太慢了"]
DISPATCH_NOTES = ["请尽快处理", "请今天内上门查看", ""]
AUTO_REASON = "已超过处理时限"  # services.sweep_overdue's reason, as zh-hans shows it
MESSAGES = [
    "已约业委会和物业周三下午现场查看",
    "物业表示维修资金需业委会表决",
    "业委会同意先行垫付，下周施工",
    "施工已完成，请社区复核",
]
RATINGS_ON_TIME = ([5, 4, 3, 2, 1], [60, 25, 10, 3, 2])
RATINGS_LATE = ([5, 4, 3, 2, 1], [30, 30, 20, 10, 10])
ROLE_OF = {"grid_worker", "property_manager", "community_staff", "subdistrict_admin"}

REPORT_COLUMNS = (
    "id, token, category_id, reporter_id, place_id, estate_id, grid_id, household_id, path,"
    " title, description, address, map_x, map_y, lat, long, attributes, hide_name, is_public,"
    " source, contact_name, contact_phone, contact_email, status, level, handler_id,"
    " handler_role, joint, merged_into_id, reply, rating, rating_comment, supporter_count,"
    " escalations, created_at, updated_at, accept_due_at, resolve_due_at, due_at, accepted_at,"
    " resolved_at, closed_at"
)
STEP_COLUMNS = "id, report_id, kind, actor_id, status, text, data, public, created_at"
SUPPORTER_COLUMNS = "id, report_id, user_id, created_at"
MESSAGE_COLUMNS = "id, report_id, author_id, role, body, created_at"
OPEN = {"submitted", "accepted", "dispatched", "in_progress", "reopened"}
FINAL = {"rejected", "closed", "merged"}
NEVER = 1 << 62


class Category:
    __slots__ = ("accept", "code", "id", "level", "public", "reply", "resolve", "role", "text")

    def __init__(self, pk, code, name, level, role, accept_hours, resolve_hours, public):
        self.id, self.code, self.level, self.role = pk, code, level, role
        self.accept, self.resolve = accept_hours * HOUR, resolve_hours * HOUR
        self.public = "t" if public else "f"
        self.text = DESCRIPTIONS.get(code, [name])
        self.reply = REPLIES.get(code, REPLY)


def attributes(code: str, rng) -> str:
    """Answers to the category's questions (migration 0002: elevator, water-leak, parking)."""
    if code == "elevator":
        trapped = "yes" if rng.random() < 0.05 else "no"
        return f'{{"elevator": "{rng.randint(1, 4)}号电梯", "trapped": "{trapped}"}}'
    if code == "water-leak":
        return f'{{"where": "{rng.choice(("ceiling", "wall", "pipe", "roof"))}"}}'
    if code == "parking" and rng.random() < 0.3:
        return f'{{"plate": "鄂A{rng.randint(10000, 99999)}"}}'
    return "{}"


def daily_counts(total: int, days: int) -> list[int]:
    """Reports per day, growing with the residents signed up: cumulative total × (d / days)²."""
    cum = [total * d * d // (days * days) for d in range(days + 1)]
    return [cum[d + 1] - cum[d] for d in range(days)]


def fill_reports(ctx):
    plan, rng, conn = ctx.plan, ctx.rng, ctx.conn
    random_, randint, choice, choices = rng.random, rng.randint, rng.choice, rng.choices
    anchor = plan.anchor
    sweep_stop = anchor - SWEEP_PAUSE
    cats = [
        Category(*row)
        for row in conn.execute(
            "SELECT id, code, name, level, handler_role, accept_hours, resolve_hours, is_public"
            " FROM reports_category WHERE active ORDER BY sort_order, code"
        ).fetchall()
    ]
    if not cats:
        raise RuntimeError("no active report category: run the migrations first")
    cat_cum = list(accumulate(WEIGHTS.get(c.code, 2) for c in cats))
    hour_cum = list(accumulate(HOUR_WEIGHTS))
    utc_hours = [(h * HOUR - UTC_OFFSET) % DAY for h in range(24)]

    subdistricts = plan.subdistricts
    heavy, others = subdistricts[0], subdistricts[1:] or subdistricts[:1]
    share = plan.heavy_share()
    units, buildings, estates, grids = plan.units, plan.buildings, plan.estates, plan.grids
    communities, hh_unit, members, joined = (
        plan.communities,
        plan.hh_unit,
        plan.members,
        plan.joined,
    )
    community_staff = [plan.community_staff(c) for c in communities]

    total = plan.reports()
    days = SIGNUP_YEARS * YEAR // DAY
    start = anchor - days * DAY

    ids = {"step": 0, "supporter": 0, "message": 0}
    # Merge targets: (building or estate id, category id) → [report id, created, final, followers]
    recent: dict[tuple[int, int], list] = {}
    extra_support: dict[int, int] = {}  # merge target → supporters added by merges
    stats = dict.fromkeys(
        ("open", "overdue", "district", "resolved", "closed", "rejected", "merged"), 0
    )

    def reports():
        pk = 0
        step_buf, sup_buf, msg_buf = [], [], []
        for d, count in enumerate(daily_counts(total, days)):
            day = start + d * DAY
            seconds = sorted(
                utc_hours[h] + randint(0, HOUR - 1)
                for h in choices(range(24), cum_weights=hour_cum, k=count)
            )
            for second in seconds:
                # Exactly the heavy subdistrict's share, spread evenly over time.
                is_heavy = int((pk + 1) * share) > int(pk * share)
                pk += 1
                yield report(
                    pk,
                    day + second,
                    heavy if is_heavy else choice(others),
                    step_buf,
                    sup_buf,
                    msg_buf,
                )
                if len(step_buf) > 20000:
                    step_file.writelines(step_buf)
                    step_buf.clear()
                    supporter_file.writelines(sup_buf)
                    sup_buf.clear()
                    message_file.writelines(msg_buf)
                    msg_buf.clear()
        step_file.writelines(step_buf)
        supporter_file.writelines(sup_buf)
        message_file.writelines(msg_buf)

    def reporter_in(sub, t):
        """A verified resident of the subdistrict who had signed up by t: (user, household)."""
        for _ in range(40):
            h = randint(sub.first, sub.end - 1)
            ready = [u for u in members(h) if joined(u) + VERIFIED_AFTER <= t]
            if ready:
                return choice(ready), h
        return 0, h  # nobody yet: the grid worker reports it (see below)

    def report(pk, t0, sub, step_buf, sup_buf, msg_buf):
        cat = cats[bisect_right(cat_cum, random_() * cat_cum[-1])]
        reporter, h = reporter_in(sub, t0)
        unit = units[hh_unit[h]]
        building = buildings[unit.parent]
        estate = estates[building.parent]
        comm = communities[estate.parent]
        staff = community_staff[comm.index]
        grid = grids[building.grid]
        household = h
        if reporter == 0:
            reporter, household = grid.worker, NULL
        r = random_()
        if r < ESTATE_PLACE.get(cat.code, 0.05):
            place, grid_id, household, key = estate, NULL, NULL, estate.id
        else:
            place = unit if r > 1 - UNIT_PLACE else building
            grid_id, key = grid.id, building.id

        def decider(level):
            if level >= 3:
                return choice(sub.staff)
            if level == 1 and place is not estate:
                return grid.worker
            return choice(staff)

        def handler_for(level, role):
            if level >= 3 or role == "subdistrict_admin":
                return choice(sub.staff), "subdistrict_admin"
            if level == 1 and role == "property_manager":
                return estate.staff[0], role
            if level == 1 and role not in ROLE_OF and place is not estate:
                return grid.worker, "grid_worker"
            if level == 1 and role == "grid_worker" and place is not estate:
                return grid.worker, role
            return choice(staff), "community_staff"

        steps = []  # (time, kind, actor, status, text, data, public)
        level = cat.level
        status = "submitted"
        escalations = 0
        handler, handler_role = NULL, ""
        accept_due = deadline = t0 + cat.accept
        accepted = resolve_due = resolved = closed = merged_into = NULL
        reply = rating_comment = ""
        rating = NULL
        joint = "f"
        final_at = NEVER
        steps.append((t0, "submitted", reporter, status, "", "{}", "t"))

        def clock(until):
            """The sweep escalates while the running limit passes before `until`."""
            nonlocal level, escalations, deadline, status, handler, handler_role
            if until > sweep_stop:
                until = sweep_stop
            while level < 4 and deadline is not None:
                e = deadline + randint(1, SWEEP_EVERY)
                if e >= until:
                    return
                data = f'{{"from": {level}, "to": {level + 1}}}'
                level += 1
                escalations += 1
                handler, handler_role = NULL, ""
                if status == "submitted":
                    deadline = e + cat.accept
                else:
                    status = "accepted"
                    deadline = e + cat.resolve
                steps.append((e, "auto_escalated", NULL, status, AUTO_REASON, data, "t"))

        def redispatch(before):
            """After an escalation in the work, the new level hands the report on."""
            nonlocal status, handler, handler_role
            last = steps[-1][0]
            at = last + min(randint(600, 3 * HOUR), max(1, (before - last) // 2))
            who, role = handler_for(level, cat.role)
            handler, handler_role, status = who, role, "dispatched"
            data = f'{{"handler_role": "{role}"}}'
            steps.append((at, "dispatched", decider(level), status, "", data, "t"))

        u = random_()
        late = random_() < ACCEPT_LATE
        decided = t0 + max(300, int(cat.accept * (1 + random_() if late else random_() ** 1.5)))
        target = None
        if REJECTED <= u < REJECTED + MERGED:
            target = recent.get((key, cat.id))
            if target and (t0 - target[1] > MERGE_WINDOW or target[2] <= decided):
                target = None
        clock(decided)
        if decided >= anchor:
            pass  # still waiting to be accepted
        elif u < REJECTED:
            reason = choice(REJECT_REASONS)
            status, reply, closed, final_at = "rejected", reason, decided, decided
            steps.append((decided, "rejected", decider(level), status, reason, "{}", "t"))
        elif target is not None:
            status, closed, final_at, merged_into = "merged", decided, decided, target[0]
            data = f'{{"into": {target[0]}}}'
            steps.append((decided, "merged", decider(level), status, "", data, "t"))
        else:
            status, accepted = "accepted", decided
            resolve_due = deadline = decided + cat.resolve
            steps.append((decided, "accepted", decider(level), status, "", "{}", "t"))
            r = random_()
            if r < HARD:
                work = randint(HARD_DAYS[0] * DAY, HARD_DAYS[1] * DAY)
            elif r < HARD + RESOLVE_LATE:
                work = int(cat.resolve * (1 + random_()))
            else:
                work = int(cat.resolve * (0.05 + 0.95 * random_()))
            done = decided + max(1800, work)
            t = decided
            handed_on = False  # dispatched once: an escalation later means a new dispatch
            if level == 2 and random_() < JOINT:
                t += randint(600, 6 * HOUR)
                if t < min(done, anchor):
                    joint = "t"
                    steps.append((t, "joint", decider(level), status, "", "{}", "t"))
                    authors = [
                        (choice(staff), "community_staff"),
                        (estate.staff[0], "property_manager"),
                    ]
                    for i, body in enumerate(MESSAGES[: randint(2, 4)]):
                        at = t + (i + 1) * (done - t) // 5
                        if at >= anchor:
                            break
                        author, role = authors[i % 2]
                        ids["message"] += 1
                        msg_buf.append(
                            f"{ids['message']}\t{pk}\t{author}\t{role}\t{body}\t{ts(at)}\n"
                        )
            if random_() < DISPATCHED:
                t += min(randint(300, 4 * HOUR), (done - t) * 3 // 10)
                clock(t)
                if t < anchor:
                    handler, handler_role = handler_for(level, cat.role)
                    status, handed_on = "dispatched", True
                    note = choice(DISPATCH_NOTES)
                    data = f'{{"handler_role": "{handler_role}"}}'
                    steps.append((t, "dispatched", decider(level), status, note, data, "t"))
                    if random_() < STARTED:
                        t += min(randint(600, 12 * HOUR), (done - t) // 2)
                        clock(t)
                        if t < anchor:
                            if handler == NULL:
                                redispatch(t)
                            status = "in_progress"
                            steps.append((t, "started", handler, status, "", "{}", "t"))
                    if t < anchor and level < 4 and random_() < WHISTLE:
                        t += (done - t) // 3
                        clock(t)
                        if t < anchor and level < 4:
                            data = f'{{"from": {level}, "to": {level + 1}}}'
                            who = handler if handler != NULL else decider(level)
                            level += 1
                            escalations += 1
                            handler, handler_role, status = NULL, "", "accepted"
                            deadline = t + cat.resolve
                            reason = choice(WHISTLE_REASONS)
                            steps.append((t, "escalated", who, status, reason, data, "t"))
            if t < anchor:
                for attempt in (0, 1):
                    clock(done)
                    if done >= anchor:
                        break
                    if handler == NULL and handed_on:
                        redispatch(done)
                    who = handler if handler != NULL else decider(level)
                    status, reply, resolved, deadline = "resolved", cat.reply, done, None
                    steps.append((done, "resolved", who, status, reply, "{}", "t"))
                    if attempt == 0 and random_() < REOPENED:
                        back = done + randint(HOUR, 2 * DAY)
                        if back >= anchor:
                            break
                        status, resolved = "reopened", NULL
                        deadline = back + cat.resolve
                        comment = choice(REOPEN_COMMENTS)
                        steps.append((back, "reopened", reporter, status, comment, "{}", "t"))
                        done = back + int(cat.resolve * (0.2 + 1.3 * random_()))
                        continue
                    break
            if status == "resolved":
                on_time = done <= resolve_due
                values, weights = RATINGS_ON_TIME if on_time else RATINGS_LATE
                if random_() < CONFIRMED:
                    at = done + randint(HOUR, 5 * DAY)
                    if at < anchor:
                        status, closed, final_at = "closed", at, at
                        steps.append((at, "confirmed", reporter, status, "", "{}", "t"))
                        if random_() < RATED_ON_CONFIRM:
                            rating = choices(values, weights)[0]
                            if random_() < 0.1:
                                rating_comment = choice(RATING_COMMENTS)
                            data = f'{{"rating": {rating}}}'
                            steps.append((at, "rated", reporter, status, rating_comment, data, "t"))
                else:
                    at = done + AUTO_CLOSE + randint(1, SWEEP_EVERY)
                    if at < sweep_stop:
                        status, closed, final_at = "closed", at, at
                        steps.append((at, "auto_closed", NULL, status, "", "{}", "t"))
                        later = at + randint(HOUR, 3 * DAY)
                        if later < anchor and random_() < RATED_LATER:
                            rating = choices(values, weights)[0]
                            data = f'{{"rating": {rating}}}'
                            steps.append((later, "rated", reporter, status, "", data, "t"))
        if status in OPEN:
            clock(anchor)
            stats["open"] += 1
            if deadline < anchor:
                stats["overdue" if level < 4 else "district"] += 1
        else:
            stats[status] += 1
            deadline = None

        # "Me too" from neighbours while it was open, and followers moving to a merge target.
        followers = {reporter}
        if cat.public == "t" and random_() < SUPPORTED and household != NULL:
            until = min(final_at, resolved if resolved != NULL else NEVER, anchor)
            statuses = [s[0] for s in steps]
            for _ in range(randint(1, 3)):
                other = randint(building.first, building.end - 1)
                ready = [u for u in members(other) if joined(u) + VERIFIED_AFTER <= t0]
                if not ready or until <= t0 + 60:
                    continue
                uid = choice(ready)
                if uid in followers:
                    continue
                followers.add(uid)
                at = randint(t0 + 60, until - 1)
                state = steps[bisect_right(statuses, at) - 1][3]
                steps.append((at, "supported", uid, state, "", "{}", "f"))
                ids["supporter"] += 1
                sup_buf.append(f"{ids['supporter']}\t{pk}\t{uid}\t{ts(at)}\n")
        supporters = len(followers) - 1
        if status == "merged":
            for uid in followers - target[3]:
                target[3].add(uid)
                extra_support[target[0]] = extra_support.get(target[0], 0) + 1
                ids["supporter"] += 1
                sup_buf.append(f"{ids['supporter']}\t{target[0]}\t{uid}\t{ts(closed)}\n")
        else:
            recent[(key, cat.id)] = [pk, t0, final_at, followers]

        steps.sort(key=lambda s: s[0])
        for at, kind, actor, state, text, data, public in steps:
            ids["step"] += 1
            step_buf.append(
                f"{ids['step']}\t{pk}\t{kind}\t{actor}\t{state}\t{text}\t{data}\t{public}\t"
                f"{ts(at)}\n"
            )
        if random_() < WITH_POINT:
            map_x, map_y = f"{random_():.3f}", f"{random_():.3f}"
        else:
            map_x = map_y = NULL
        description = choice(cat.text)
        title = description.split("，")[0][:20] if random_() < TITLED else ""
        r = random_()
        source = "web" if r < 0.88 else "api" if r < 0.98 else "open311"
        hide = "t" if random_() < HIDE_NAME else "f"
        return (
            f"{pk}\t{rng.getrandbits(128):032x}\t{cat.id}\t{reporter}\t{place.id}\t{estate.id}\t"
            f"{grid_id}\t{household}\t{place.path}\t{title}\t{description}\t\t{map_x}\t"
            f"{map_y}\t{NULL}\t{NULL}\t{attributes(cat.code, rng)}\t{hide}\t{cat.public}\t"
            f"{source}\t\t\t\t{status}\t{level}\t{handler}\t{handler_role}\t{joint}\t"
            f"{merged_into}\t{reply}\t{rating}\t{rating_comment}\t{supporters}\t{escalations}\t"
            f"{ts(t0)}\t{ts(steps[-1][0])}\t{ts(accept_due)}\t{opt(resolve_due)}\t"
            f"{opt(deadline)}\t{opt(accepted)}\t{opt(resolved)}\t{opt(closed)}\n"
        )

    # Side tables go to files while the reports stream (PostgreSQL takes them in while Python
    # makes the next ones), then are COPYed from there.
    with (
        tempfile.TemporaryDirectory(prefix="linju-bench-reports-") as tmp,
        open(f"{tmp}/steps", "w", encoding="utf-8") as step_file,
        open(f"{tmp}/supporters", "w", encoding="utf-8") as supporter_file,
        open(f"{tmp}/messages", "w", encoding="utf-8") as message_file,
        ctx.indexes_rebuilt("reports_report"),
        ctx.indexes_rebuilt("reports_step"),
        ctx.indexes_rebuilt("reports_supporter"),
        ctx.indexes_rebuilt("reports_message"),
    ):
        ctx.copy("reports_report", REPORT_COLUMNS, reports())
        for f, table, columns in (
            (step_file, "reports_step", STEP_COLUMNS),
            (supporter_file, "reports_supporter", SUPPORTER_COLUMNS),
            (message_file, "reports_message", MESSAGE_COLUMNS),
        ):
            f.close()
            with open(f.name, encoding="utf-8") as lines:
                ctx.copy(table, columns, lines)
        # Merges moved followers onto targets written earlier: their counts, in one statement.
        if extra_support:
            conn.execute(
                "UPDATE reports_report r SET supporter_count = r.supporter_count + x.n"
                " FROM unnest(%s::bigint[], %s::int[]) x (id, n) WHERE r.id = x.id",
                (list(extra_support), list(extra_support.values())),
            )
    ctx.bar.write(
        "reports at the anchor: "
        + ", ".join(f"{n:,} {k}" for k, n in stats.items())
        + f" (overdue: open at levels 1–3 past their limit, for the sweep; district: open"
        f" with the district; {len(extra_support):,} merge targets)"
    )


def opt(seconds) -> str:
    return NULL if seconds is None or seconds == NULL else ts(seconds)


def expected_reports(plan) -> int:
    """Reports, their steps (6.2 each), supporters and messages, for the progress bar."""
    return plan.reports() * 73 // 10
