"""Pack fixtures: a pack's own test cases, evaluated and compared with what they expect.

A pack folder holds its fixtures beside it:

    PACK_DIR/pack.yaml
    PACK_DIR/tests/<case>/expect.yaml   what each rule must end in (schemas/fixture.schema.json)
    PACK_DIR/tests/<case>/repo/         the repository tree of the case
    PACK_DIR/tests/<case>/bin/          stub programs, first (by default only) on PATH

A case may `extends` another case (a sibling's name, or a relative path to a
case of another pack): it starts from that case's repo/ and bin/ files, drops
those its `remove` globs match (`repo/SECURITY.md`, `bin/*`) and lays its own
files over them, so a non-compliant variant of a service shows only what differs.

Each case is built as a real git repository in a temporary folder (init, add,
commit with fixed identity and dates) and evaluated with the case's PATH, so
results depend neither on the machine's tools nor on the user's git config.
Rule coverage counts, per rule, whether some case expects it to pass and it
passes, some case expects it to fail and it fails, and, for a rule that has a
skip condition (a `when`, or a check that can skip on its own: no file to
read, a missing program), some case expects it to skip for that reason and
it does. A skip caused by the case's options (`no_commands: true`) proves
nothing about the rule and does not count, nor does a skip for want of
trust: the pack under test is trusted (it is named on the command line), but
a case's repository is judged as any repository is without `--trust-repo`,
so a rule's `untrusted_when` applies (and a case can show it does).

Three modules, one job each: cases.py reads the cases (expect.yaml, extends,
remove), build.py writes a case's repository and stubs, run.py evaluates
the pack over the cases and computes the coverage.
"""
