"""`policy history` and `policy trend`: a repository's runs over its commits.

- line.py: the first-parent line of a branch, read from git (dates, a shallow end);
- model.py: what history and trend show per commit, built from stored runs;
- walk.py: history's work: each commit evaluated statically, or its stored run reused.
"""
