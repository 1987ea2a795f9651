"""rulepack: evaluate versioned YAML rule packs against a snapshot of a repository.

The package is laid out the way data flows through it:

    packs/      pack files -> the loaded pack model (packs/model.py)
    snapshots/  the repository as a set of files: working tree, git ref, index
    formats/    parsers that turn a file into documents for manifest checks
    checks/     one module per check kind, registered in checks/__init__.py
    evaluator.py  rules x snapshot -> results (results.py)
    reporters/  one module per output format
    commands/   one module per `policy` sub-command
"""

__version__ = "0.1.0"
