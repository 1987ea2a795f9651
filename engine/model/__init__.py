"""The model: what rulepack's data means, with no I/O and no dependency above it.

    packs.py      Pack, Rule, Category, FileSet and the Check base every kind extends
    messages.py   `message:` templates and how they reword findings
    documents.py  Document (what a manifest format yields) and KeyPath
    results.py    Finding, Outcome, RuleResult, Report (with its verdict) and the summary
    snapshots.py  SnapshotInfo and Unreadable: what a report says about its snapshot

Every other layer imports from here; nothing here imports another layer.
"""
