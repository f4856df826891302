"""Locust clients for the load harness; bench/load.py runs them headless, one phase at a time.

    LINJU_BENCH_POOLS   JSON file of credentials per role, written by bench/load.py
    LINJU_BENCH_PATH    run this one path (a name from bench/scenarios.py) from every client;
                        unset: the mix, every role's paths at their weights

Each request takes a random credential from its role's pool, so a few dozen clients stand for
thousands of residents and the database sees the city's spread, not a few hot rows. Cookies
are sent by hand, never kept between requests.
"""

import json
import os
import random
import re

from locust import FastHttpUser, constant, task

from bench import scenarios

with open(os.environ["LINJU_BENCH_POOLS"], encoding="utf-8") as _f:
    POOLS = json.load(_f)
CSRF_INPUT = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')


class LinjuUser(FastHttpUser):
    abstract = True
    role = "anonymous"

    def on_start(self):
        self.client.client.cookiejar = None  # credentials go in each request's headers

    def call(self, path: scenarios.Path):
        cred = random.choice(POOLS[self.role]) if POOLS.get(self.role) else {}
        headers = dict(cred.get("headers", {}))
        with self.client.get(
            scenarios.fill(path.url, cred), name=path.name, headers=headers, catch_response=True
        ) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}")


class LoginUser(LinjuUser):
    """GET the form for its CSRF token, then POST a resident's mobile and password."""

    abstract = True
    wait_time = constant(0)

    @task
    def log_in(self):
        cred = random.choice(POOLS["login"])
        form = self.client.get(scenarios.LOGIN.url, name="anonymous: login page")
        token = CSRF_INPUT.search(form.content or b"")
        cookie = form.headers.get("set-cookie", "").split(";")[0]
        with self.client.post(
            scenarios.LOGIN.url,
            name=scenarios.LOGIN.name,
            data={
                "mobile": cred["mobile"],
                "password": cred["password"],
                "csrfmiddlewaretoken": token.group(1).decode() if token else "",
            },
            headers={"Cookie": cookie, "Referer": self.host + scenarios.LOGIN.url},
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 302:
                response.failure(f"HTTP {response.status_code}: login refused")


def single_path_user(path: scenarios.Path):
    """Every client asks for this one path as fast as the server answers."""

    def run(self):
        self.call(path)

    return type(
        "OnePath",
        (LinjuUser,),
        {"role": path.role, "wait_time": constant(0), "tasks": [run], "abstract": False},
    )


def role_user(role: str):
    """A client of one role: its paths at their weights, back to back like the one-path
    clients, so the mix shows what the paths do to each other at full load."""
    tasks = {}
    for path in scenarios.PATHS:
        if path.role == role and path is not scenarios.FLOOR:
            tasks[(lambda p: lambda self: self.call(p))(path)] = path.weight
    return type(
        f"Mix_{role}",
        (LinjuUser,),
        {
            "role": role,
            "weight": scenarios.ROLE_WEIGHTS[role],
            "wait_time": constant(0),
            "tasks": tasks,
            "abstract": False,
        },
    )


_ONE = os.environ.get("LINJU_BENCH_PATH")
if scenarios.LOGIN.name == _ONE:
    Login = type("Login", (LoginUser,), {"abstract": False})
elif _ONE:
    OnePath = single_path_user(scenarios.by_name(_ONE))
else:
    for _role in scenarios.ROLES:
        globals()[f"Mix_{_role}"] = role_user(_role)
