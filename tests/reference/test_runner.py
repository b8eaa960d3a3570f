"""test_runner.py - runs a Python test script's test functions in order, each guarded so a
crash fails that test and not the run, prints one line per test and every failure, removes
the script's scratch folder and exits 1 when anything failed.

    failures = []                      # the script's check() appends messages here
    run_tests([test_a, test_b], failures, TMP)
"""
import shutil
import sys


def run_tests(tests, failures, scratch):
    passed = failed = 0
    for test in tests:
        before = len(failures)
        try:
            test()
        except Exception as ex:  # a crash is a failure of that test, not of the run
            failures.append("%s raised %r" % (test.__name__, ex))
        ok = len(failures) == before
        passed, failed = passed + ok, failed + (not ok)
        print("%s %s" % ("ok  " if ok else "FAIL", test.__name__))
    for f in failures:
        print("FAIL", f)
    shutil.rmtree(scratch, ignore_errors=True)
    print("%d passed, %d failed" % (passed, failed))
    sys.exit(1 if failed else 0)
