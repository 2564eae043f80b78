# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What every transfer benchmark measures and prints, in one place (tests/bench/bench_*.py call it).

* Every contender (the module, as Ansible runs it, and its peer: plain boto3, openstacksdk, a plain
  streamed GET) runs in a child process of its own: ``measured()`` gives its wall time, its CPU seconds
  (user + system of the process and all its threads, from ``wait4``) and its peak RSS (VmHWM, polled).
* A peer reports the CPU of its transfer call alone (peer_client.py ``timed()``, printed in its JSON line); the module's
  transfer CPU is its process's minus the same task's on a 1 MiB file (interpreter, imports, look-ups and
  waits, which a transfer of any size pays once).
* ``Placement``: ``shared`` lets the scheduler place servers and client; ``pinned`` puts every server
  (every process this benchmark started: the emulators, S3, Keystone, Glance, and their threads) on
  core 0 and the client on core 1 (``taskset -c 1``), so a ratio shows the client's cost, not the scheduler's.
* One digest pass: the CPU of ``hashlib.md5`` over the benchmark file's bytes held in memory, the least
  CPU any verified transfer adds to its plain peer.
* ``row()`` turns the best of N runs into one table row with the goals beside it; ``print_table()`` prints
  the rows as a Markdown table (the README's Performance section shows one).

Speed figures depend on the machine: nothing here asserts them (tests/unit/test_bench_measure.py checks the
arithmetic, tests/integration/test_bench_harness.py runs a benchmark at a tiny size and checks its columns).
"""

from __future__ import absolute_import, division, print_function

import argparse
import hashlib
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time

MIB = 1024 * 1024
GIB = 1024 * MIB
REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
COLLECTIONS = os.path.join(REPO, 'build', 'collections')
# The goal of every path: the client's CPU per GiB at most the peer's + one digest pass + this share of both;
# peak RSS at most this many MiB, at 1 GiB as at 4 GiB.
CPU_MARGIN = 0.15
RSS_LIMIT_MIB = 100.0
QUICK_SIZE_GIB = 1 / 64     # 16 MiB: exercises the harness, measures nothing
BIG_SIZE_GIB = 4
TINY_SIZE = MIB             # the start-up run whose CPU the module's figure leaves out
PLACEMENTS = ('shared', 'pinned')
SERVER_CPU, CLIENT_CPU = 0, 1


def make_file(path, size):
    """``size`` bytes of incompressible data, written in 1 MiB blocks (each block distinct)."""
    block = bytearray(os.urandom(MIB))
    with open(path, 'wb') as handle:
        left = size
        index = 0
        while left > 0:
            block[:8] = index.to_bytes(8, 'big')
            handle.write(block[:min(MIB, left)])
            left -= MIB
            index += 1


def cpu_now():
    """CPU seconds (user + system, every thread) this process has used so far."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


class PeakRss(threading.Thread):
    """Polls a process's VmHWM (its own high-water mark since exec) until it exits.

    ``wait4``'s ``ru_maxrss`` would not do: Linux carries the pre-exec high-water mark over exec, so a
    child forked from this (large) benchmark process reports at least this process's RSS.
    """

    def __init__(self, pid, interval=0.02):
        super().__init__(daemon=True)
        self.path = '/proc/%d/status' % pid
        self.interval = interval
        self.peak_kib = 0
        self.stopped = threading.Event()

    def run(self):
        while not self.stopped.is_set():
            try:
                with open(self.path, encoding='ascii') as handle:
                    for line in handle:
                        if line.startswith('VmHWM:'):
                            self.peak_kib = max(self.peak_kib, int(line.split()[1]))
            except (OSError, ValueError):
                return
            self.stopped.wait(self.interval)


class Measured:
    """One child process: ``result`` (its last JSON object), ``wall`` and ``cpu`` seconds, ``rss`` (peak, MiB)."""

    def __init__(self, result, wall, cpu, rss):
        self.result, self.wall, self.cpu, self.rss = result, wall, cpu, rss


def _last_json(text):
    for line in reversed(text.splitlines()):
        if line.startswith('{'):
            try:
                return json.loads(line)
            except ValueError:
                break
    return json.loads(text[text.index('{'):])


def measured(command, env, pin=None, allow_failure=False):
    """Run ``command`` (on core ``pin`` with taskset when given) as a child; returns its ``Measured``."""
    if pin is not None:
        command = ['taskset', '-c', str(pin)] + list(command)
    started = time.time()
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env)  # pylint: disable=consider-using-with
    rss = PeakRss(proc.pid)
    rss.start()
    out = proc.stdout.read()
    proc.stdout.close()
    # wait4, not Popen.wait: the rusage of the child (and its threads) comes with its exit status.
    _pid, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.time() - started
    rss.stopped.set()
    rss.join()
    text = out.decode('utf-8', 'replace')
    try:
        result = _last_json(text)
    except ValueError:
        result = {'failed': True, 'msg': 'printed no JSON:\n' + text[-3000:]}
    if (proc.returncode != 0 or result.get('failed')) and not allow_failure:
        raise SystemExit('%s failed: %s' % (' '.join(command[:4]), result.get('msg') or text[-3000:]))
    return Measured(result, wall, usage.ru_utime + usage.ru_stime, rss.peak_kib / 1024.0)


def module_command(name, args_file):
    """The command line of a module's own entry point, as Ansible runs it."""
    return [sys.executable, '-m', 'ansible_collections.cecloud.ims.plugins.modules.' + name, args_file]


def write_args(workdir, args):
    args_file = os.path.join(workdir, 'args.json')
    with open(args_file, 'w', encoding='utf-8') as handle:
        json.dump({'ANSIBLE_MODULE_ARGS': args}, handle)
    return args_file


def run_module(name, args, env, workdir, pin=None, allow_failure=False):
    """One run of module ``name`` with ``args`` in a child process: its ``Measured`` (``result`` its JSON)."""
    return measured(module_command(name, write_args(workdir, args)), dict(env, PYTHONPATH=COLLECTIONS), pin,
                    allow_failure)


# Server placement ---------------------------------------------------------------------------------------

def descendants(root):
    """The PIDs of every live process under ``root`` (the servers a benchmark started, whatever their session)."""
    children = {}
    for entry in os.listdir('/proc'):
        if not entry.isdigit():
            continue
        try:
            with open('/proc/%s/stat' % entry, encoding='ascii', errors='replace') as handle:
                ppid = int(handle.read().rsplit(')', 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        children.setdefault(ppid, []).append(int(entry))
    found, todo = [], [root]
    while todo:
        for child in children.get(todo.pop(), ()):
            found.append(child)
            todo.append(child)
    return found


def set_affinity(pids, cpus):
    """Every thread of every process in ``pids`` on ``cpus`` (threads and processes made later inherit it)."""
    for pid in pids:
        try:
            tids = os.listdir('/proc/%d/task' % pid)
        except OSError:
            continue
        for tid in tids:
            try:
                os.sched_setaffinity(int(tid), cpus)
            except OSError:
                pass


def placements(wanted):
    """The placements to run: ``pinned`` needs two cores (said, and left out, on a machine with one)."""
    chosen = PLACEMENTS if wanted == 'both' else (wanted,)
    if 'pinned' in chosen and not {SERVER_CPU, CLIENT_CPU} <= os.sched_getaffinity(0):
        print('pinned placement left out: it needs cores %d and %d' % (SERVER_CPU, CLIENT_CPU))
        chosen = tuple(p for p in chosen if p != 'pinned')
    return chosen


class Placement:
    """``with Placement(name):`` the servers' cores for a stretch of runs; ``client`` is the client's core or None."""

    def __init__(self, name):
        self.name = name
        self.client = CLIENT_CPU if name == 'pinned' else None
        self.all_cpus = os.sched_getaffinity(0)
        self.servers = []

    def __enter__(self):
        if self.name == 'pinned':
            self.servers = descendants(os.getpid())
            set_affinity(self.servers, {SERVER_CPU})
        return self

    def __exit__(self, *exc):
        set_affinity(descendants(os.getpid()), self.all_cpus)
        return False


class Bench:
    """A benchmark over one stack, its files in ``workdir``: ``measure`` is what ``run_sizes`` calls."""

    workdir = None

    def measure(self, size, runs, chosen):
        """Make the benchmark file of ``size`` bytes, measure one MD5 pass over it, then return the rows of
        ``measure_placement(place, src, size, runs, digest_cpu_per_gib)`` in each placement of ``chosen``."""
        path = os.path.join(self.workdir, 'bench-%d.raw' % size)
        make_file(path, size)
        rows = []
        try:
            digest = digest_cpu_per_gib(path)
            for name in chosen:
                with Placement(name) as place:
                    rows.extend(self.measure_placement(place, path, size, runs, digest))
        finally:
            os.unlink(path)
        return rows

    def measure_placement(self, place, src, size, runs, digest):
        raise NotImplementedError


def in_turn(attempt, *steps):
    """Run ``steps`` (callables) one after the other, each after ``os.sync()`` (no dirty pages left to the next),
    the first one rotating with ``attempt``: the contenders take turns going first."""
    first = attempt % len(steps)
    for step in steps[first:] + steps[:first]:
        os.sync()
        step()


# Reference figures --------------------------------------------------------------------------------------

def digest_cpu_per_gib(path, limit=256 * MIB):
    """CPU seconds per GiB of one MD5 pass over ``path``'s bytes (up to ``limit`` of them) held in memory."""
    blocks = []
    with open(path, 'rb') as handle:
        while sum(len(b) for b in blocks) < limit:
            block = handle.read(MIB)
            if not block:
                break
            blocks.append(block)
    total = sum(len(b) for b in blocks)
    best = None
    for dummy in range(3):
        # Over the blocks again until 0.2 s of CPU is spent: getrusage may count CPU in scheduler ticks.
        digest, hashed, cpu, spent = hashlib.md5(), 0, cpu_now(), 0.0
        while spent < 0.2:
            for block in blocks:
                digest.update(block)
            hashed += total
            spent = cpu_now() - cpu
        best = min(best or spent * GIB / hashed, spent * GIB / hashed)
    return best


def load():
    """The machine's load average (1, 5, 15 min) as text."""
    return '%.2f %.2f %.2f' % os.getloadavg()


# Rows and the table -------------------------------------------------------------------------------------

def figures(size, runs):
    """The best of ``runs`` (each (seconds, client CPU seconds, peak RSS MiB)) as (MiB/s, CPU s per GiB, RSS MiB).

    Throughput from the fastest run, CPU from the thriftiest, RSS from the largest (the bound is on the worst)."""
    return dict(mib_s=size / MIB / min(r[0] for r in runs), cpu_gib=min(r[1] for r in runs) * GIB / size,
                rss=max(r[2] for r in runs))


def row(path, placement, size, module_runs, peer_runs, digest_cpu, goal_ratio, peer_name, cpu_goal=True,
        rss_limit=RSS_LIMIT_MIB):
    """One table row: the module against its peer over the same runs, with the goals and whether each is met.

    ``goal_ratio`` None: no throughput goal (the row is for information); ``cpu_goal`` False: no CPU goal (the
    peer does not do the same work); the RSS goal (``rss_limit`` MiB, the table's unless said) holds on every row.
    """
    module, peer = figures(size, module_runs), figures(size, peer_runs)
    ratio = module['mib_s'] / peer['mib_s']
    cpu_limit = (peer['cpu_gib'] + digest_cpu) * (1 + CPU_MARGIN) if cpu_goal else None
    return dict(
        path=path, placement=placement, size_gib=size / GIB, runs=len(module_runs), peer=peer_name,
        module_mib_s=module['mib_s'], peer_mib_s=peer['mib_s'], ratio=ratio, goal_ratio=goal_ratio,
        module_cpu_gib=module['cpu_gib'], peer_cpu_gib=peer['cpu_gib'], digest_cpu_gib=digest_cpu, cpu_limit_gib=cpu_limit,
        module_rss=module['rss'], peer_rss=peer['rss'],
        ratio_met=None if goal_ratio is None else ratio >= goal_ratio,
        cpu_met=None if cpu_limit is None else module['cpu_gib'] <= cpu_limit, rss_limit=rss_limit,
        rss_met=module['rss'] <= rss_limit)


def merge_big(rows, big_rows):
    """The peak RSS of the 4 GiB runs beside the 1 GiB rows of the same path (and their RSS goal with it)."""
    big = dict((r['path'], r['module_rss']) for r in big_rows)
    for item in rows:
        if item['path'] in big:
            item['module_rss_big'] = big[item['path']]
            item['rss_met'] = item['rss_met'] and big[item['path']] <= item.get('rss_limit', RSS_LIMIT_MIB)
    return rows


def _met(value):
    return '-' if value is None else ('yes' if value else '**NO**')


def _rss_met(item):
    """Whether the RSS goal is met, with the row's own limit where it is not the table's."""
    limit = item.get('rss_limit', RSS_LIMIT_MIB)
    return _met(item['rss_met']) + ('' if limit == RSS_LIMIT_MIB else ' (<= %d)' % limit)


COLUMNS = (
    ('path', lambda r: r['path']),
    ('placement', lambda r: r['placement']),
    ('peer', lambda r: r['peer']),
    ('module MiB/s', lambda r: '%.1f' % r['module_mib_s']),
    ('peer MiB/s', lambda r: '%.1f' % r['peer_mib_s']),
    ('ratio', lambda r: '%.2f' % r['ratio']),
    ('goal', lambda r: '-' if r['goal_ratio'] is None else '>= %.2f' % r['goal_ratio']),
    ('met', lambda r: _met(r['ratio_met'])),
    ('CPU s/GiB module', lambda r: '%.2f' % r['module_cpu_gib']),
    ('CPU s/GiB peer', lambda r: '%.2f' % r['peer_cpu_gib']),
    ('MD5 pass', lambda r: '%.2f' % r['digest_cpu_gib']),
    ('CPU goal', lambda r: '-' if r['cpu_limit_gib'] is None else '<= %.2f' % r['cpu_limit_gib']),
    ('met', lambda r: _met(r['cpu_met'])),
    ('RSS MiB module', lambda r: '%.0f' % r['module_rss']),
    ('RSS MiB peer', lambda r: '%.0f' % r['peer_rss']),
    ('RSS MiB 4 GiB', lambda r: '%.0f' % r['module_rss_big'] if 'module_rss_big' in r else '-'),
    ('met (<= %d)' % RSS_LIMIT_MIB, _rss_met),
)


def table(rows):
    """The rows as the lines of a Markdown table."""
    lines = ['| ' + ' | '.join(name for name, _cell in COLUMNS) + ' |', '|' + '---|' * len(COLUMNS)]
    for item in rows:
        lines.append('| ' + ' | '.join(cell(item) for _name, cell in COLUMNS) + ' |')
    return lines


def print_table(rows, loads=None):
    if loads:
        print('load average (1, 5, 15 min): before %s, after %s' % loads)
    sizes = sorted(set((r['size_gib'], r['runs']) for r in rows))
    print('sizes (GiB, best of runs): %s; CPU goal: peer + one MD5 pass + %d %%; RSS goal: <= %d MiB' % (
        ', '.join('%g x %d' % s for s in sizes), CPU_MARGIN * 100, RSS_LIMIT_MIB))
    print('\n'.join(table(rows)))
    sys.stdout.flush()


# Command line -------------------------------------------------------------------------------------------

def add_arguments(parser, size_gib=1.0):
    """The options every benchmark takes (``make bench BENCH_ARGS=...`` passes them to each)."""
    parser.add_argument('--size-gib', type=float, default=size_gib, help='size of the benchmark file (default %(default)s)')
    parser.add_argument('--runs', type=int, default=3, help='runs of each contender; the best is kept (default 3)')
    parser.add_argument('--quick', action='store_true',
                        help='a %g MiB file and one run: exercises the harness, measures nothing' % (QUICK_SIZE_GIB * 1024))
    parser.add_argument('--big', action='store_true',
                        help='also one run at %d GiB for the peak RSS (checks the free space first)' % BIG_SIZE_GIB)
    parser.add_argument('--placement', choices=('both',) + PLACEMENTS, default='both',
                        help='shared: as the scheduler likes; pinned: servers on core %d, client on core %d (default both)' % (
                            SERVER_CPU, CLIENT_CPU))
    parser.add_argument('--json', help='also write the rows to this file (bench_all.py collects them)')
    parser.add_argument('--workdir', default=None, help='where the benchmark files go (default: a temporary folder)')


def parse(parser, argv=None):
    args = parser.parse_args(argv)
    if args.quick:
        args.size_gib, args.runs, args.big = QUICK_SIZE_GIB, 1, False
    return args


def sizes(args):
    """The (size in bytes, runs) to measure: the main size, then the big one for the peak RSS."""
    chosen = [(int(args.size_gib * GIB), args.runs)]
    if args.big:
        chosen.append((int(BIG_SIZE_GIB * GIB), 1))
    return chosen


def check_disk(workdir, args, kept_per_run):
    """Refuse, before anything starts, a run that would fill the disk in ``workdir``: the file and its download, and
    ``kept_per_run`` copies the servers keep of each run (the images of every placement and the 4 GiB run)."""
    (size, runs), big = sizes(args)[0], int(BIG_SIZE_GIB * GIB) if args.big else 0
    needed = size * (2 + kept_per_run * runs * len(PLACEMENTS)) + big * (2 + kept_per_run)
    free = shutil.disk_usage(workdir).free
    if free < needed:
        raise SystemExit('not enough disk for the benchmark: it needs about %.1f GiB free in %s, which has %.1f GiB; '
                         'free some space, pick another --workdir (or TMPDIR), or run without --big' % (
                             needed / GIB, workdir, free / GIB))


def run(args, prefix, kept_per_run, measure_all):
    """A benchmark's whole run: the load before, a temporary folder checked for space (``check_disk``), the rows of
    ``measure_all(folder)``, the load after; prints the table (and writes the rows for bench_all.py)."""
    loads = [load()]
    workdir = tempfile.mkdtemp(prefix=prefix, dir=args.workdir)
    try:
        check_disk(workdir, args, kept_per_run)
        rows = measure_all(workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    loads.append(load())
    print_table(rows, tuple(loads))
    if args.json:
        with open(args.json, 'w', encoding='utf-8') as handle:
            json.dump(rows, handle)
    return 0


def run_sizes(args, measure_size):
    """``measure_size(size, runs, placements)`` for the main size, then (``--big``) once more at 4 GiB, shared, for
    the peak RSS; returns the rows, the big run's RSS merged into them."""
    chosen = sizes(args)
    rows = measure_size(chosen[0][0], chosen[0][1], placements(args.placement))
    if len(chosen) > 1:
        rows = merge_big(rows, measure_size(chosen[1][0], chosen[1][1], ('shared',)))
    return rows


def parser_for(doc, size_gib=1.0):
    parser = argparse.ArgumentParser(description=doc.split('\n\n', 1)[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    add_arguments(parser, size_gib)
    return parser
