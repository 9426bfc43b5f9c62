"""The rows of docs/limits.md's "Measured figures" table, each case in a fresh child process.

Run from the repository root: `python benchmarks/limits.py`. Prints, per case, what `loads` gave
(the charter, or the diagnostics' count and codes), wall and CPU seconds, and the child's peak RSS.
"""
import json, subprocess, sys, textwrap
CASES = {
 "10mb": "text = 'charter \"x\"\\n' + '# ' + 'a' * (10_000_000) + '\\n'",
 "wl800": "import sys; sys.path.insert(0,'benchmarks'); from workload import make_workload; text = make_workload(800, seed=0).text",
 "wl2000": "import sys; sys.path.insert(0,'benchmarks'); from workload import make_workload; text = make_workload(2000, seed=0).text",
 "dup": "text = 'charter \"x\"\\n' + 'role a\\n' * 150_000; limits = dr.Limits(max_bytes=2_000_000)",
 "nest": "text = 'charter \"x\"\\nrole a\\ndecision d { b: bool }\\na may decide d when ' + '(' * 10_000 + 'b' + ')' * 10_000 + '\\n'",
 "nots": "text = 'charter \"x\"\\nrole a\\ndecision d { b: bool }\\na may decide d when ' + 'not\\n' * 10_000 + 'b\\n'",
 "digits": "text = 'charter \"x\"\\ncurrency EUR\\nrole a\\ndecision d { n: number }\\na may decide d when n <= ' + '9' * 1000 + '\\n'",
}
BODY = textwrap.dedent('''
import resource, time, decisionrights as dr
limits = None
{setup}
t = time.perf_counter(); c0 = time.process_time()
try:
    ch = dr.loads(text, "m.charter", limits=limits) if limits else dr.loads(text, "m.charter")
    result = f"loads: {{len(ch.roles)}} roles, {{len(text)/1e6:.2f}} MB"
except dr.CharterError as e:
    codes = sorted({{d.code for d in e.diagnostics}})
    result = f"{{len(e.diagnostics)}} x {{codes}}"
wall = time.perf_counter() - t; cpu = time.process_time() - c0
print(json.dumps(dict(result=result, wall=round(wall,2), cpu=round(cpu,2), rss_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024)))
''')
for name, setup in CASES.items():
    code = "import json\n" + BODY.format(setup=setup)
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=600)
    print(name, r.stdout.strip() or r.stderr[-500:])
