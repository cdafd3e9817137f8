"""gunicorn's settings for the web process (deploy/systemd/ldash-web.service, `make prod`).

Each value can be overridden from the environment (GUNICORN_WORKERS, GUNICORN_BIND ...) or on
the command line.
"""

from __future__ import annotations

import multiprocessing
import os

wsgi_app = "config.wsgi:application"
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# The usual rule of thumb: two processes per core plus one. Metrics are read from the database
# and Redis at scrape time, so any number of processes report the same values.
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("GUNICORN_THREADS", "2"))
# The CSV export streams; a slow client must not be cut off by a short timeout.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "120"))
graceful_timeout = 30
keepalive = 5
# Recycle processes now and then: a leak in any library stays bounded.
max_requests = 2000
max_requests_jitter = 200
accesslog = "-"
# The path alone (%(U)s): the request line (%(r)s), the query string (%(q)s) and the referrer
# (%(f)s) would log the OAuth code and state of LinkedIn's callback.
access_log_format = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(L)ss "%(a)s"'
errorlog = "-"
# No query string and no referrer: LinkedIn's OAuth callback carries its code and state there.
access_log_format = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(L)ss "%(a)s"'
# Behind the reverse proxy (deploy/nginx.conf): trust its X-Forwarded-* only from loopback.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
