"""gunicorn settings for Linju (DESIGN.md §7 Serving: synchronous Django views behind a WSGI
server). Every value can be changed from the environment, so the same file serves `make demo`
on a laptop and production behind nginx.

  LINJU_BIND           address to listen on (default 127.0.0.1:8000)
  WEB_CONCURRENCY      worker processes (default 2 × cores + 1, at most 8)
  LINJU_THREADS        threads per worker (default 1)
  LINJU_TIMEOUT        seconds before a silent worker is killed and replaced (default 30)
  LINJU_ACCESS_LOG     access log file, "-" for standard output (default "-")
  LINJU_FORWARDED_ALLOW_IPS  proxies whose X-Forwarded-* headers are trusted (default 127.0.0.1)
"""

import multiprocessing
import os
from pathlib import Path

import environ

# The same .env that linju/settings.py reads, so one file configures both.
ENV_FILE = Path(__file__).resolve().parent.parent / ".env"
if ENV_FILE.exists():
    environ.Env.read_env(ENV_FILE, overwrite=False)

wsgi_app = "linju.wsgi:application"
bind = os.environ.get("LINJU_BIND", "127.0.0.1:8000")
# 2·cores+1 is gunicorn's rule of thumb; the cap keeps a big host from opening more database
# connections than PostgreSQL's default max_connections allows for a few app servers.
workers = int(os.environ.get("WEB_CONCURRENCY") or min(2 * multiprocessing.cpu_count() + 1, 8))
threads = int(os.environ.get("LINJU_THREADS", "1"))
timeout = int(os.environ.get("LINJU_TIMEOUT", "30"))
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then so a slow leak in any library never grows without bound; the
# jitter keeps them from restarting all at once.
max_requests = 2000
max_requests_jitter = 200
accesslog = os.environ.get("LINJU_ACCESS_LOG", "-")
errorlog = "-"
loglevel = os.environ.get("LINJU_GUNICORN_LOG_LEVEL", "info")
forwarded_allow_ips = os.environ.get("LINJU_FORWARDED_ALLOW_IPS", "127.0.0.1")
# Load the app before forking: a broken setting fails once, at start, not in every worker.
preload_app = True
proc_name = "linju"
