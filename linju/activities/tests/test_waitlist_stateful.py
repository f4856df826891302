"""The places and the wait list of an activity as a state machine (hypothesis.stateful): random
sign-ups, cancellations and changes of capacity by five people of estate E1, checked after
every step against a model of the queue: the activity's count equals its SIGNED rows and stays
within the capacity (when there is one), nobody waits while a place is free, and the wait list
is first come first served (a place that frees goes to the longest waiting; signing up again
after cancelling joins the end). The clock is frozen and moves a second a step, so the order
of sign-ups is never a tie. Each example runs in a savepoint rolled back at its end, over the
`hood` fixture's city."""

from datetime import datetime, timedelta

import pytest
import time_machine
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)

from linju.activities import services_activities as acts
from linju.activities.models import Activity, SignUpStatus
from linju.core.errors import Invalid, NotFound

pytestmark = pytest.mark.django_db

# Three residents of E1 and two of its staff (who may take part where they look after).
PEOPLE = ["owner", "tenant", "party_liaison", "property_manager", "owners_committee"]
RUN = settings(
    max_examples=30,
    stateful_step_count=20,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.get_fixed_timezone(8 * 60))


def waitlist_machine(hood):
    city, staff = hood.city, hood.staff
    users = {key: city.users[key] for key in PEOPLE}

    class WaitList(RuleBasedStateMachine):
        def __init__(self):
            super().__init__()
            self.atomic = transaction.atomic()
            self.atomic.__enter__()
            self.clock = time_machine.travel(T0, tick=False)
            self.now = self.clock.start()
            self.signed: set[str] = set()
            self.queue: list[str] = []  # who waits, first come first
            self.capacity = 0
            self.activity = None

        def teardown(self):
            self.clock.stop()
            transaction.set_rollback(True)
            self.atomic.__exit__(None, None, None)

        def tick(self):
            self.now.shift(timedelta(seconds=1))

        def fill(self):
            while self.queue and (not self.capacity or len(self.signed) < self.capacity):
                self.signed.add(self.queue.pop(0))

        @initialize(capacity=st.integers(0, 3))
        def organise(self, capacity):
            start = timezone.now() + timedelta(days=1)
            self.activity = acts.create_activity(
                user=staff,
                place_id=city.places["E1"].pk,
                title="广场舞",
                kind="culture",
                venue="中心广场",
                starts_at=start,
                ends_at=start + timedelta(hours=2),
                capacity=capacity,
            )
            self.capacity = capacity

        @rule(who=st.sampled_from(PEOPLE))
        def sign_up(self, who):
            self.tick()
            mine = acts.sign_up(user=users[who], activity_id=self.activity.pk)
            if who not in self.signed and who not in self.queue:
                if not self.capacity or len(self.signed) < self.capacity:
                    self.signed.add(who)
                else:
                    self.queue.append(who)
            expected = SignUpStatus.SIGNED if who in self.signed else SignUpStatus.WAITING
            assert mine.status == expected

        @rule(who=st.sampled_from(PEOPLE))
        def cancel(self, who):
            self.tick()
            try:
                mine = acts.cancel_sign_up(user=users[who], activity_id=self.activity.pk)
            except NotFound:
                assert who not in self.signed and who not in self.queue
                return
            assert mine.status == SignUpStatus.CANCELLED
            if who in self.signed:
                self.signed.discard(who)
                self.fill()
            else:
                self.queue.remove(who)

        @rule(capacity=st.integers(0, 5))
        def change_capacity(self, capacity):
            self.tick()
            a = self.activity
            try:
                acts.update_activity(
                    user=staff,
                    activity_id=a.pk,
                    title=a.title,
                    kind=a.kind,
                    venue=a.venue,
                    starts_at=a.starts_at,
                    ends_at=a.ends_at,
                    capacity=capacity,
                )
            except Invalid as exc:
                assert set(exc.errors) == {"capacity"}
                assert 0 < capacity < len(self.signed)
                return
            self.capacity = capacity
            self.fill()

        @invariant()
        def the_rows_are_the_model(self):
            if self.activity is None:
                return
            activity = Activity.objects.get(pk=self.activity.pk)
            rows = list(
                activity.sign_ups.order_by("signed_at", "id").values_list("user_id", "status")
            )
            signed = [pk for pk, status in rows if status == SignUpStatus.SIGNED]
            waiting = [pk for pk, status in rows if status == SignUpStatus.WAITING]
            assert set(signed) == {users[key].pk for key in self.signed}
            assert waiting == [users[key].pk for key in self.queue]  # first come first served
            assert activity.capacity == self.capacity
            # The count is the SIGNED rows, within the capacity.
            assert activity.signed == len(signed)
            if activity.capacity:
                assert len(signed) <= activity.capacity
            # Nobody waits while a place is free.
            if waiting:
                assert activity.capacity and len(signed) == activity.capacity

    return WaitList


def test_the_wait_list_is_first_come_first_served_within_the_capacity(hood):
    run_state_machine_as_test(waitlist_machine(hood), settings=RUN)
