"""The README's "Server" walk, run as written (issue 10, "Done when"): a new user issues a court
and a unit token and, with curl alone, records an inclusion as the court, sees it in the unit's
feed, applies and lifts a measure as the unit, and finds the entry, masked, in the public search.

The shell block under "## Server" is run by bash in an empty folder with the built binary first
on PATH; the only change is the port (LISTLEDGER_PORT and $LL, so a busy 8080 does not matter).
What it prints is checked against what the README says it prints.

Skipped unless LISTLEDGER_EXE names a built binary (scripts/test sets it).
"""
import os
import re
import socket
import subprocess

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
EXE = os.environ.get("LISTLEDGER_EXE")
pytestmark = pytest.mark.skipif(not EXE, reason="set LISTLEDGER_EXE to a built listledger binary")


def server_block():
    text = open(os.path.join(ROOT, "README.md"), encoding="utf-8").read()
    section = text[text.index("\n## Server\n"):]
    match = re.search(r"```sh\n(.*?)```", section, re.S)
    assert match, "no sh block under ## Server"
    return match.group(1)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_readme_server_walk(tmp_path):
    port = free_port()
    block = server_block()
    assert "LL=http://127.0.0.1:8080" in block
    script = "set -u\n" + block.replace("LL=http://127.0.0.1:8080", f"LL=http://127.0.0.1:{port}") + "\nwait\n"
    env = dict(os.environ, PATH=os.path.dirname(os.path.abspath(EXE)) + os.pathsep + os.environ["PATH"],
               LISTLEDGER_PORT=str(port), LOG_LEVEL="error")
    env.pop("LISTLEDGER_DB", None)
    run = subprocess.run(["bash", "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    out = run.stdout
    assert run.returncode == 0, out + run.stderr
    lines = out.splitlines()
    # The court's four events, as the README says: {"duplicates":[],"seqs":[1,2,3,4]}
    assert '{"duplicates":[],"seqs":[1,2,3,4]}' in lines, out
    # The unit's feed shows the push to it.
    assert any('"type":"pushed_to_unit"' in line and '"unit":"unit:pboc-baisha"' in line for line in lines), out
    # The unit's measure (seq 5) and its lift (seq 6).
    assert '{"duplicates":[],"seqs":[5]}' in lines and '{"duplicates":[],"seqs":[6]}' in lines, out
    # The public search: found, the ID masked as SPEC §6 says (first 10, ****, last 4), never in full.
    search = [line for line in lines if line.startswith('{"results"')]
    assert len(search) == 1, out
    assert '"id_number":"4600301980****0105"' in search[0] and "460030198001010105" not in search[0], search[0]
    assert '"name":"某甲"' in search[0]
    # The unit may not record the court's act, and an entry it was not given is not there.
    assert "403" in lines and "404" in lines, out
    # The access log names E1's reads.
    assert "E1" in out.split('"seqs":[6]}')[-1], out
    # Nothing listens any more after `kill %1` (graceful stop).
    with socket.socket() as s:
        assert s.connect_ex(("127.0.0.1", port)) != 0
