"""Deliberation (议事): topics and their procedures, tasks, the notice board, meetings,
ballots and the settings; /api/v1/deliberation. Rules: linju/deliberation/rules.py and
docs/deliberation.md — staff see what lies in their scope (deliberation.view); residents see
what covers their home (`covers_home`, which counts the households a party liaison serves),
noticed meetings and opened ballots only; organisers (community staff, the subdistrict) run
the agenda; hosts run meetings; ballot runners (owners' committee too) run ballots; support
and ratings are for the households of the topic's area."""

from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from linju.deliberation import services_ballots as ballots
from linju.deliberation import services_meetings as meetings
from linju.deliberation import services_settings as settings_services
from linju.deliberation import services_topics as topics
from linju.deliberation.models import MeetingKind, Stage
from linju.deliberation.tests.test_topics import on_agenda

from .policy import Anywhere, Everyone, HasRole, Home, Is, LoggedIn, Nobody, Perm
from .spec import Lit, Route
from .world import Thing, makes, marker, person, twin

APP = "deliberation"

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def _pdf(name="sheet.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


@makes("meeting_kind")
def kind_made(w, side, suffix):
    """Meeting kinds are city-wide: the same on both sides."""
    kind = MeetingKind.objects.get(code="yishihui")
    return {"meeting_kind": Thing(kind, None, value=kind.pk)}


@makes("topic", "proc_topic", "stage", "completion", "task", again=True)
def topics_made(w, side, suffix):
    """At U1 (U3): a resident's topic gathering support, proposed by the owner; a staff topic
    under 四议两公开 whose first stage was completed with a document, with a decision and a
    task for the tenant (the C2 task goes to the owner there)."""
    staff_key = person(side, "community_staff")
    staff = w.user(staff_key)
    unit = twin(side, "U1")
    proposer = person(side, "owner")
    topic = topics.propose_topic(
        user=w.user(proposer),
        place_id=w.place(unit).pk,
        title=marker("topic", side, suffix),
        body=marker("topic", side, suffix),
    )
    proc = on_agenda(w.city, unit, staff_key)
    topics.Topic.objects.filter(pk=proc.pk).update(title=marker("proc_topic", side, suffix))
    proc = topics.start_procedure(user=staff, topic=proc, procedure="four_two")
    first = Stage.objects.get(procedure__code="four_two", code="branch_proposes")
    completion = topics.complete_stage(
        user=staff, topic=proc, stage_id=first.pk, note="x", document=_pdf()
    )
    proc.refresh_from_db()
    topics.record_topic_decision(user=staff, topic=proc, text=marker("decision", side, suffix))
    assignee = "tenant" if side == "C1" else "owner_2"
    task = topics.add_task(
        user=staff,
        topic=proc,
        title=marker("task", side, suffix),
        owner_id=w.user(assignee).pk,
        due_on=timezone.localdate() + timedelta(days=7),
    )
    return {
        "topic": Thing(topic, unit, {"proposer": proposer}),
        "proc_topic": Thing(proc, unit),
        "stage": Thing(proc.current_stage, unit),
        "completion": Thing(completion, unit),
        "task": Thing(task, unit, {"assignee": assignee}),
    }


@makes("meeting", "invitee", again=True)
def meetings_made(w, side, suffix):
    """A 议事会 at U1 (U3) in twenty days, the owner invited, its notice sent."""
    staff = w.user(person(side, "community_staff"))
    invitee = person(side, "owner")
    meeting = meetings.create_meeting(
        user=staff,
        kind="yishihui",
        place_id=w.place(twin(side, "U1")).pk,
        title=marker("meeting", side, suffix),
        starts_at=timezone.now() + timedelta(days=20),
        venue="活动室",
    )
    meetings.invite(user=staff, meeting=meeting, user_ids=[w.user(invitee).pk])
    meeting = meetings.send_notice(user=staff, meeting=meeting)
    where = twin(side, "U1")
    return {
        "meeting": Thing(meeting, where, {"invitee": invitee}),
        "invitee": Thing(w.user(invitee), where, {"invitee": invitee}),
    }


@makes("ballot", "draft_ballot", "vote", again=True)
def ballots_made(w, side, suffix):
    """Owners' ballots at U1 (U3): one open, in which staff recorded the owner's proxy vote
    with its written authorisation; one still a draft."""
    staff = w.user(person(side, "community_staff"))
    unit = w.place(twin(side, "U1"))

    def make(kind):
        return ballots.create_ballot(
            user=staff,
            place_id=unit.pk,
            title=marker(kind, side, suffix),
            electorate="owners",
            rule="ordinary",
            closes_at=timezone.now() + timedelta(days=7),
        )

    ballot = ballots.open_ballot(user=staff, ballot=make("ballot"))
    elector = ballot.electors.get(members__user=w.user(person(side, "owner")))
    vote = ballots.record_proxy_vote(
        user=staff,
        ballot=ballot,
        elector_id=elector.pk,
        option_id=ballot.options.get(order=1).pk,
        proxy_name="代理人",
        authorisation=_pdf("auth.pdf"),
    )
    where = twin(side, "U1")
    electorate = {"elector": person(side, "owner")}
    return {
        "ballot": Thing(ballot, where, electorate),
        "draft_ballot": Thing(make("draft_ballot"), where),
        "vote": Thing(vote, where, electorate),
    }


@makes("representative", "support_rule")
def settings_made(w, side, suffix):
    """A resident representative of the community (the tenant; owner_2 in C2) and the
    community's support threshold."""
    staff = w.user(person(side, "community_staff"))
    community = w.place(twin(side, "C1"))
    rep_key = "tenant" if side == "C1" else "owner_2"
    rep = settings_services.appoint_representative(
        user=staff, community_id=community.pk, user_id=w.user(rep_key).pk
    )
    rule = settings_services.set_support_rule(user=staff, place_id=community.pk, households=3)
    return {
        "representative": Thing(rep, twin(side, "C1"), {"representative": rep_key}),
        "support_rule": Thing(rule, twin(side, "C1"), value=community.pk),
    }


VIEW = Perm("deliberation.view")
DESK = Anywhere("deliberation.view")
# Residents see what covers their home (a liaison's served households count as home).
NEAR = Home(served=True)
TOPIC_SEEN = NEAR | VIEW
ORGANISE = Perm("deliberation.organise")
HOST = Perm("deliberation.host_meeting")
RUN = Perm("deliberation.run_ballot")
# A noticed meeting: staff of the scope, its invitees, the residents whose home it covers.
MEETING_SEEN = VIEW | Is("invitee") | NEAR
# An opened ballot: staff of the scope, the residents whose home it covers, its electorate.
BALLOT_SEEN = VIEW | NEAR | Is("elector")
# Support and ratings: the households inside the topic's area (not a liaison's served ones).
HOUSEHOLD = Home()
TASK_SEEN = Is("assignee") | TOPIC_SEEN
# Settings and meeting kinds: organisers; kinds are the subdistrict's.
SETTINGS = Anywhere("deliberation.organise")
KINDS = Anywhere("deliberation.organise") & HasRole("subdistrict_admin")


def _topic(rule, **kw):
    kw.setdefault("seen", TOPIC_SEEN)
    return Route(rule, params={"topic_id": "topic"}, **kw)


def _proc(rule, **kw):
    kw.setdefault("seen", TOPIC_SEEN)
    return Route(rule, params={"topic_id": "proc_topic"}, **kw)


def _meeting(rule, **kw):
    kw.setdefault("seen", MEETING_SEEN)
    return Route(rule, params={"meeting_id": "meeting"}, **kw)


def _ballot(rule, **kw):
    kw.setdefault("seen", BALLOT_SEEN)
    return Route(rule, params={"ballot_id": "ballot"}, **kw)


PAGES = {
    "deliberation/": Route(
        LoggedIn(),
        shows={"topic": NEAR, "proc_topic": NEAR},
        why="resident-facing: the topics around the person's home",
    ),
    "deliberation/topics/new/": Route(LoggedIn(), why="'unavailable' without a home or a scope"),
    "deliberation/topics/<int:topic_id>/": Route(TOPIC_SEEN, params={"topic_id": "topic"}),
    "deliberation/topics/<int:topic_id>/support/": _topic(
        Nobody(), get=405, post=HOUSEHOLD, refused=(302, 403), why="POST only: a household's 附议"
    ),
    "deliberation/topics/<int:topic_id>/unsupport/": _topic(
        Nobody(), get=405, post=Nobody(), refused=(302, 403), why="POST only"
    ),
    "deliberation/topics/<int:topic_id>/withdraw/": _topic(
        Nobody(), get=405, post=Is("proposer"), refused=(403,), why="POST only: the proposer"
    ),
    "deliberation/topics/<int:topic_id>/rate/": _proc(
        Nobody(),
        get=405,
        post=Nobody(),
        data=lambda w, s: {"rate-stars": 5},
        refused=(200, 403),
        why="POST only: residents rate a result under evaluation (none yet: the form again)",
    ),
    "deliberation/topics/<int:topic_id>/documents/<int:completion_id>/": Route(
        TOPIC_SEEN, params={"topic_id": "proc_topic", "completion_id": "completion"}
    ),
    "deliberation/notices/": Route(
        LoggedIn(),
        shows={"meeting": NEAR | VIEW, "contest": NEAR | VIEW},
        why="the boards of the person's homes and scope (meeting notices, published rankings)",
    ),
    "deliberation/desk/topics/": Route(
        DESK, shows={"topic": VIEW, "proc_topic": VIEW}, why="the staff agenda of the scope"
    ),
    "deliberation/desk/topics/<int:topic_id>/": _proc(
        DESK & VIEW,
        seen=VIEW,
        post=ORGANISE,
        data=lambda w, s: {"action": "decline", "reason": "x"},
        refused=(302,),
        why="the topic's desk page; an action not theirs is 'not possible now'",
    ),
    "deliberation/desk/tasks/": Route(
        LoggedIn(),
        shows={"task": Is("assignee") | VIEW},
        why="the person's own tasks, and the scope's for the desk",
    ),
    "deliberation/desk/tasks/<int:task_id>/progress/": Route(
        Nobody(),
        params={"task_id": "task"},
        get=405,
        post=Is("assignee") | ORGANISE,
        seen=TASK_SEEN,
        data=lambda w, side: {
            f"t{w.obj('task', side).pk}-text": "x",
            f"t{w.obj('task', side).pk}-progress": 50,
        },
        refused=(200, 403),
        why="POST only: the task's owner or an organiser",
    ),
    "deliberation/desk/tasks/<int:task_id>/cancel/": Route(
        Nobody(),
        params={"task_id": "task"},
        get=405,
        post=ORGANISE,
        seen=TASK_SEEN,
        data=lambda w, s: {"reason": "x"},
        why="POST only: organisers",
    ),
    "deliberation/desk/procedures/": Route(DESK, why="the procedures, for the desk"),
    "deliberation/meetings/": Route(
        LoggedIn(),
        shows={"meeting": Is("invitee") | NEAR},
        why="resident-facing: invitations and the boards of the person's homes",
    ),
    "deliberation/meetings/<int:meeting_id>/": _meeting(
        MEETING_SEEN,
        post=Is("invitee"),
        data=lambda w, s: {"answer": "yes"},
        refused=(302,),
        why="the meeting as an invitee or a neighbour sees it; only invitees answer",
    ),
    "deliberation/meetings/<int:meeting_id>/checkin/<str:token>/": Route(
        LoggedIn(),
        params={"meeting_id": "meeting", "token": "meeting.checkin_token"},
        ok=(200, 403, 409),
        why="the door's QR code: the token itself is the key; the page says what is wrong",
    ),
    "deliberation/desk/meetings/": Route(
        DESK, shows={"meeting": VIEW}, why="the meetings of the scope"
    ),
    "deliberation/desk/meetings/new/": Route(
        Anywhere("deliberation.host_meeting"), why="hosts create meetings"
    ),
    "deliberation/desk/meetings/<int:meeting_id>/": _meeting(
        VIEW,
        post=HOST,
        data=lambda w, s: {"action": "cancel", "reason": "x"},
        why="the meeting's desk page for staff of the scope; acting is for hosts",
    ),
    "deliberation/desk/meetings/<int:meeting_id>/edit/": _meeting(
        HOST, post=HOST, data=lambda w, s: {"title": "x"}, why="hosts of the scope"
    ),
    "deliberation/desk/meetings/<int:meeting_id>/quorum/": _meeting(VIEW),
    "deliberation/desk/meetings/<int:meeting_id>/door/": _meeting(HOST),
    "deliberation/desk/meetings/<int:meeting_id>/notice/": _meeting(VIEW),
    "deliberation/desk/meetings/<int:meeting_id>/sign-in/": _meeting(VIEW),
    "deliberation/desk/meeting-kinds/": Route(KINDS, why="kinds are the subdistrict's"),
    "deliberation/desk/meeting-kinds/<int:kind_id>/": Route(
        KINDS, params={"kind_id": "meeting_kind"}, post=KINDS, data=lambda w, s: {"name": "x"}
    ),
    "deliberation/ballots/": Route(
        LoggedIn(), shows={"ballot": Is("elector")}, why="resident-facing: my electorates"
    ),
    "deliberation/ballots/<int:ballot_id>/": _ballot(
        BALLOT_SEEN,
        post=Is("elector"),
        data=lambda w, side: {"option": w.obj("ballot", side).options.get(order=2).pk},
        refused=(302,),
        why="the ballot as a voter or a neighbour sees it; only its electorate votes",
    ),
    "deliberation/desk/ballots/": Route(
        DESK, shows={"ballot": VIEW, "draft_ballot": VIEW}, why="the ballots of the scope"
    ),
    "deliberation/desk/ballots/new/": Route(
        Anywhere("deliberation.run_ballot"), why="ballot runners create ballots"
    ),
    "deliberation/desk/ballots/<int:ballot_id>/": _ballot(
        VIEW,
        post=RUN,
        data=lambda w, s: {"action": "close"},
        refused=(302, 403),
        why="the ballot's desk page; residents who see the ballot go to its page; acting is "
        "for ballot runners",
    ),
    "deliberation/desk/ballots/<int:ballot_id>/edit/": Route(
        RUN,
        params={"ballot_id": "draft_ballot"},
        post=RUN,
        data=lambda w, s: {"title": "x"},
        why="a draft, for ballot runners",
    ),
    "deliberation/desk/ballots/<int:ballot_id>/votes/<int:vote_id>/<str:kind>/": Route(
        RUN,
        params={"ballot_id": "ballot", "vote_id": "vote", "kind": Lit("authorisation")},
        why="a proxy's authorisation: ballot runners only",
    ),
    "deliberation/desk/representatives/": Route(
        SETTINGS,
        post=ORGANISE,
        post_kind="representative",
        data=lambda w, side: {"action": "end", "representative": w.obj("representative", side).pk},
        refused=(200, 403),
        why="representatives of the communities the person organises",
    ),
    "deliberation/desk/support-rules/": Route(
        SETTINGS,
        post=ORGANISE,
        post_kind="community",
        data=lambda w, side: {"action": "clear", "place": w.obj("community", side).pk},
        refused=(200, 403),
        why="support thresholds of the scope",
    ),
}

API = {
    "GET /deliberation/topics": Route(
        LoggedIn(), shows={"topic": TOPIC_SEEN, "proc_topic": TOPIC_SEEN}
    ),
    "POST /deliberation/topics": Route(
        Perm("deliberation.propose") | NEAR,
        kind="unit",
        data=lambda w, side: {"place": w.obj("unit", side).pk, "title": "x", "body": "x"},
        refused=(403,),
        why="residents where they live, staff in their scope",
    ),
    "GET /deliberation/topics/{topic_id}": Route(TOPIC_SEEN, params={"topic_id": "topic"}),
    "GET /deliberation/topics/{topic_id}/completions/{completion_id}/document": Route(
        TOPIC_SEEN, params={"topic_id": "proc_topic", "completion_id": "completion"}
    ),
    "POST /deliberation/topics/{topic_id}/support": _topic(HOUSEHOLD, refused=(403,)),
    "POST /deliberation/topics/{topic_id}/unsupport": _topic(Nobody(), refused=(403, 409)),
    "POST /deliberation/topics/{topic_id}/withdraw": _topic(Is("proposer")),
    "POST /deliberation/topics/{topic_id}/decline": _topic(
        ORGANISE, data=lambda w, s: {"reason": "x"}
    ),
    "POST /deliberation/topics/{topic_id}/agenda": _topic(ORGANISE),
    "POST /deliberation/topics/{topic_id}/start": _topic(
        ORGANISE, data=lambda w, s: {"procedure": "four_two"}
    ),
    "POST /deliberation/topics/{topic_id}/stages/{stage_id}/complete": Route(
        ORGANISE,
        params={"topic_id": "proc_topic", "stage_id": "stage"},
        seen=TOPIC_SEEN,
        data=lambda w, s: {"note": "x"},
        refused=(403, 422),
        why="the stage's completer roles (四议两公开: organisers)",
    ),
    "POST /deliberation/topics/{topic_id}/decisions": _proc(
        ORGANISE, data=lambda w, s: {"text": "x"}
    ),
    "POST /deliberation/topics/{topic_id}/tasks": _proc(
        ORGANISE,
        data=lambda w, side: {
            "title": "x",
            "owner_id": w.user(person(side, "community_staff")).pk,
            "due_on": (timezone.localdate() + timedelta(days=3)).isoformat(),
        },
    ),
    "POST /deliberation/topics/{topic_id}/rate": _proc(
        Nobody(), data=lambda w, s: {"stars": 5}, refused=(403, 409)
    ),
    "POST /deliberation/topics/{topic_id}/close-evaluation": _proc(ORGANISE, refused=(403,)),
    "GET /deliberation/tasks": Route(
        LoggedIn(), shows={"task": Is("assignee")}, why="`which=mine` by default"
    ),
    "GET /deliberation/tasks/{task_id}": Route(TASK_SEEN, params={"task_id": "task"}),
    "POST /deliberation/tasks/{task_id}/progress": Route(
        Is("assignee") | ORGANISE,
        params={"task_id": "task"},
        seen=TASK_SEEN,
        data=lambda w, s: {"text": "x", "progress": 50},
    ),
    "POST /deliberation/tasks/{task_id}/cancel": Route(
        ORGANISE, params={"task_id": "task"}, seen=TASK_SEEN, data=lambda w, s: {"reason": "x"}
    ),
    "GET /deliberation/procedures": Route(LoggedIn(), why="how topics are decided, for anyone"),
    "GET /deliberation/notices": Route(
        LoggedIn(),
        shows={"meeting": NEAR | VIEW, "contest": NEAR | VIEW},
        why="the boards of the caller's homes and scope (meeting notices, published rankings)",
    ),
    "GET /deliberation/meetings/kinds": Route(LoggedIn(), why="city-wide kinds"),
    "POST /deliberation/meetings/kinds": Route(
        KINDS, data=lambda w, s: {"code": "axm", "name": "x"}
    ),
    "PATCH /deliberation/meetings/kinds/{code}": Route(
        KINDS,
        params={"code": "meeting_kind.code"},
        seen=LoggedIn(),
        data=lambda w, s: {"name": "y"},
    ),
    "GET /deliberation/meetings": Route(DESK, shows={"meeting": VIEW}),
    "POST /deliberation/meetings": Route(
        HOST,
        kind="unit",
        data=lambda w, side: {
            "kind": "yishihui",
            "place": w.obj("unit", side).pk,
            "title": "x",
            "starts_at": (timezone.now() + timedelta(days=20)).isoformat(),
            "venue": "x",
        },
        refused=(403,),
    ),
    "GET /deliberation/meetings/mine": Route(LoggedIn(), shows={"meeting": Is("invitee")}),
    "GET /deliberation/meetings/board": Route(
        LoggedIn(),
        shows={"meeting": NEAR & ~Is("invitee")},
        why="notices on the boards of the caller's homes, of meetings they are not invited to",
    ),
    "GET /deliberation/meetings/{meeting_id}": _meeting(MEETING_SEEN),
    "PATCH /deliberation/meetings/{meeting_id}": _meeting(HOST, data=lambda w, s: {"venue": "y"}),
    "PUT /deliberation/meetings/{meeting_id}/agenda": _meeting(
        HOST, data=lambda w, s: {"topic_ids": []}
    ),
    "POST /deliberation/meetings/{meeting_id}/agenda": _meeting(
        HOST, data=lambda w, side: {"topic_id": w.obj("proc_topic", side).pk}
    ),
    "DELETE /deliberation/meetings/{meeting_id}/agenda/{topic_id}": Route(
        HOST,
        params={"meeting_id": "meeting", "topic_id": "proc_topic"},
        seen=MEETING_SEEN,
        refused=(403,),
    ),
    "GET /deliberation/meetings/{meeting_id}/invitees": _meeting(VIEW),
    "POST /deliberation/meetings/{meeting_id}/invitees": _meeting(
        HOST, data=lambda w, side: {"user_ids": [w.user(person(side, "owner")).pk]}
    ),
    "POST /deliberation/meetings/{meeting_id}/notice": _meeting(HOST, refused=(403,)),
    "POST /deliberation/meetings/{meeting_id}/rsvp": _meeting(
        Is("invitee"), data=lambda w, s: {"answer": "no"}
    ),
    "POST /deliberation/meetings/{meeting_id}/check-in": _meeting(
        Nobody(),
        data=lambda w, s: {"token": "wrong"},
        refused=(422,),
        why="the door's token is the key: a wrong one is a 422 on `token` to those who see the "
        "meeting, and must be a 404 to anyone else (the page shows them nothing either)",
        bug="a wrong token answers 422 to a meeting the caller does not see: its existence is "
        "revealed (api_meetings.check_in checks no visibility)",
    ),
    "POST /deliberation/meetings/{meeting_id}/invitees/{user_id}/check-in": Route(
        HOST,
        params={"meeting_id": "meeting", "user_id": "invitee"},
        seen=MEETING_SEEN,
        data=lambda w, s: {"present": True},
        refused=(403,),
    ),
    "POST /deliberation/meetings/{meeting_id}/token": _meeting(HOST),
    "GET /deliberation/meetings/{meeting_id}/quorum": _meeting(MEETING_SEEN),
    "POST /deliberation/meetings/{meeting_id}/minutes": _meeting(
        HOST, data=lambda w, s: {"minutes": "x", "decisions": []}, refused=(403,)
    ),
    "POST /deliberation/meetings/{meeting_id}/cancel": _meeting(
        HOST, data=lambda w, s: {"reason": "x"}
    ),
    "GET /deliberation/ballots": Route(DESK, shows={"ballot": VIEW, "draft_ballot": VIEW}),
    "POST /deliberation/ballots": Route(
        RUN,
        kind="unit",
        data=lambda w, side: {
            "place": w.obj("unit", side).pk,
            "title": "x",
            "electorate": "owners",
            "rule": "ordinary",
            "closes_at": (timezone.now() + timedelta(days=7)).isoformat(),
        },
        refused=(403,),
    ),
    "GET /deliberation/ballots/mine": Route(LoggedIn(), shows={"ballot": Is("elector")}),
    "GET /deliberation/ballots/{ballot_id}": _ballot(BALLOT_SEEN),
    "PATCH /deliberation/ballots/{ballot_id}": Route(
        RUN,
        params={"ballot_id": "draft_ballot"},
        seen=VIEW,
        data=lambda w, s: {"title": "y"},
        why="a draft: staff of the scope see it, ballot runners change it",
    ),
    "POST /deliberation/ballots/{ballot_id}/open": Route(
        RUN, params={"ballot_id": "draft_ballot"}, seen=VIEW
    ),
    "POST /deliberation/ballots/{ballot_id}/close": _ballot(RUN, refused=(403,)),
    "POST /deliberation/ballots/{ballot_id}/publish": _ballot(RUN, refused=(403,)),
    "POST /deliberation/ballots/{ballot_id}/vote": _ballot(
        Nobody(),
        data=lambda w, side: {"option": w.obj("ballot", side).options.get(order=2).pk},
        refused=(403, 409),
        why="its electorate (the owner's vote was recorded by staff: 409)",
    ),
    "POST /deliberation/ballots/{ballot_id}/proxy": _ballot(
        RUN,
        data=lambda w, side: {
            "elector": w.obj("vote", side).elector_id,
            "option": w.obj("ballot", side).options.get(order=2).pk,
            "proxy_name": "x",
            "authorisation": _pdf(),
        },
        refused=(403,),
    ),
    "POST /deliberation/ballots/{ballot_id}/paper": _ballot(
        RUN,
        data=lambda w, side: {
            "elector": w.obj("vote", side).elector_id,
            "option": w.obj("ballot", side).options.get(order=2).pk,
            "scan": _pdf(),
        },
        refused=(403,),
    ),
    "GET /deliberation/ballots/{ballot_id}/paper": _ballot(RUN),
    "POST /deliberation/ballots/{ballot_id}/paper/{vote_id}/confirm": Route(
        RUN,
        params={"ballot_id": "ballot", "vote_id": "vote"},
        seen=BALLOT_SEEN,
        refused=(403,),
    ),
    "POST /deliberation/ballots/{ballot_id}/paper/{vote_id}/reject": Route(
        RUN,
        params={"ballot_id": "ballot", "vote_id": "vote"},
        seen=BALLOT_SEEN,
        data=lambda w, s: {"reason": "x"},
        refused=(403,),
    ),
    "GET /deliberation/ballots/{ballot_id}/electors": _ballot(RUN),
    "GET /deliberation/ballots/{ballot_id}/votes/{vote_id}/{kind}": Route(
        RUN,
        params={"ballot_id": "ballot", "vote_id": "vote", "kind": Lit("authorisation")},
        seen=BALLOT_SEEN,
    ),
    "GET /deliberation/settings/representatives": Route(SETTINGS, shows={"community": ORGANISE}),
    "POST /deliberation/settings/representatives": Route(
        ORGANISE,
        kind="community",
        data=lambda w, side: {
            "community_id": w.obj("community", side).pk,
            "user_id": w.user(person(side, "owner")).pk,
        },
        refused=(403,),
    ),
    "POST /deliberation/settings/representatives/{representative_id}/end": Route(
        ORGANISE,
        params={"representative_id": "representative"},
        seen=ORGANISE,
        data=lambda w, s: {},
        why="organisers of the community; a term outside their scope is not revealed",
        bug="403 instead of 404 for a term outside the caller's scope (api_settings.end checks "
        "existence before scope)",
    ),
    "GET /deliberation/settings/support-rules": Route(SETTINGS, shows={"community": ORGANISE}),
    "GET /deliberation/settings/support-rules/{place_id}": Route(
        ORGANISE,
        params={"place_id": "support_rule"},
        seen=Everyone(),
        refused=(403,),
        why="a place's threshold: places are public, the rule is the organisers'",
    ),
    "PUT /deliberation/settings/support-rules/{place_id}": Route(
        ORGANISE,
        params={"place_id": "support_rule"},
        seen=Everyone(),
        data=lambda w, s: {"households": 5},
        refused=(403,),
    ),
    "DELETE /deliberation/settings/support-rules/{place_id}": Route(
        ORGANISE, params={"place_id": "support_rule"}, seen=Everyone(), refused=(403,)
    ),
}
