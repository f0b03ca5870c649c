"""A real ledger, real users and a real `listledger serve` on loopback, and headless Chromium."""
import os
import socket
import sqlite3
import subprocess
import tempfile
import time
import urllib.request

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service

BIN = os.environ.get("LISTLEDGER_BIN", "listledger")
# sqlite (a ledger file) or postgresql (a new database on the server of $LISTLEDGER_PG_URL).
ENGINE = os.environ.get("LISTLEDGER_ENGINE", "sqlite")
PASSWORD = "correct horse battery staple"
USERS = [("clerk-wang", "court:baisha", "record,read"), ("officer-chen", "unit:pboc-baisha", "record,read"),
         ("officer-zhao", "unit:baisha-psb", "record,read"), ("auditor-sun", "auditor:spc", "audit")]


def run(*args, stdin=None, env=None):
    return subprocess.run([BIN, *args], input=stdin, capture_output=True, text=True, check=True, env=env)


def psql(db, sql):
    """One statement through psql on `db` (a URL): its rows, one per line."""
    result = subprocess.run(["psql", "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", db, "-c", sql], capture_output=True, text=True, check=True)
    return [line for line in result.stdout.split("\n") if line]


def new_ledger(folder):
    """The --db of a new, empty ledger on the engine under test."""
    if ENGINE == "sqlite":
        return os.path.join(folder, "ledger.sqlite")
    server = os.environ["LISTLEDGER_PG_URL"]
    name = f"browser_{os.getpid()}_{int(time.time())}"
    psql(server, f"CREATE DATABASE {name}")
    return server.rsplit("/", 1)[0] + "/" + name


def event_count(server):
    """The events in the ledger, read by the test itself (sqlite3 or psql), not through the server."""
    if server["engine"] == "sqlite":
        with sqlite3.connect(f"file:{server['db']}?mode=ro", uri=True) as db:
            return db.execute("SELECT count(*) FROM events").fetchone()[0]
    return int(psql(server["db"], "SELECT count(*) FROM events")[0])


@pytest.fixture(scope="session")
def server():
    folder = tempfile.mkdtemp(prefix="ll-browser-")
    env = dict(os.environ, LISTLEDGER_DB=new_ledger(folder))
    run("init", "--court", "court:baisha", env=env)
    for name, party, scope in USERS:
        run("users", "add", name, "--party", party, "--scope", scope, stdin=PASSWORD + "\n", env=env)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    process = subprocess.Popen([BIN, "serve", "--host", "127.0.0.1", "--port", str(port)], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(base + "/healthz", timeout=1)
            break
        except OSError:
            time.sleep(0.1)
    else:
        process.kill()
        raise RuntimeError("the server did not start: " + process.stderr.read())
    yield {"base": base, "db": env["LISTLEDGER_DB"], "env": env, "engine": ENGINE}
    process.terminate()
    process.wait(timeout=20)


def make_driver():
    options = Options()
    options.binary_location = "/usr/bin/chromium"
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--lang=zh-CN",
                     "--window-size=1280,800"):
        options.add_argument(argument)
    options.add_experimental_option("prefs", {"intl.accept_languages": "zh-CN,zh"})
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)


@pytest.fixture(scope="session")
def drivers():
    """One browser per person (separate cookie jars), closed at the end."""
    made = {}

    def get(person):
        if person not in made:
            made[person] = make_driver()
        return made[person]

    yield get
    for driver in made.values():
        driver.quit()
