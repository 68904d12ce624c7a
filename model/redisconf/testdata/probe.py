#!/usr/bin/env python3
"""Captures what a plain redis-server 7.0.15 says about config lines.

Used to make probes.tsv, on a machine with Debian's redis-server
7.0.15; kept to make the capture reproducible, not run by the tests. Each
input (a line, or several lines joined with \\n in the input file written as
the two characters \\n) is written as a redis.conf followed by a line
"bogus-directive-zzz"; the server is started on it and the fatal config
error it prints is recorded as LINE<TAB>MESSAGE (line 0 and "TIMEOUT" if the
server started, which a probe should never do).

usage: probe.py INPUTS.txt > OUT.tsv   (works in /tmp/rc/probe)
"""
import os, re, subprocess, sys

BASE = '/tmp/rc/probe'

def probe(text):
    os.makedirs(BASE, exist_ok=True)
    f = BASE + '/redis.conf'
    with open(f, 'wb') as fh:
        fh.write(text.encode('latin-1') + b'\nbogus-directive-zzz\n')
    try:
        r = subprocess.run(['redis-server', f], cwd=BASE, capture_output=True, timeout=3)
    except subprocess.TimeoutExpired:
        return 0, 'TIMEOUT'
    out = (r.stdout + r.stderr).decode('latin-1')
    m = re.search(r"Reading the configuration file, at line (\d+)\n>>> '.*'\n(.*)\n", out)
    if not m:
        return -1, 'NO-ERROR ' + out.replace('\n', ' | ')[:200]
    return int(m.group(1)), m.group(2)

if __name__ == '__main__':
    for raw in open(sys.argv[1], encoding='latin-1'):
        raw = raw.rstrip('\n')
        if not raw or raw.startswith('#'):
            continue
        text = raw.replace('\\n', '\n')
        n, msg = probe(text)
        print(f'{raw}\t{n}\t{msg}')
        sys.stdout.flush()
