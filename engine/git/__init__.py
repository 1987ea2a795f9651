"""git, the one way rulepack reaches it.

- runner.py: starts every git command, with the programs a repository's
  configuration could make git run taken away (its docstring lists them).
- repository.py: the plumbing the snapshots and the hook need: where the
  repository of a folder is, revisions to commits, trees and the index
  listed, HEAD, the hooks folder.
- entries.py: tree and index entries (modes, object ids) as git prints them.
- blobs.py: blob contents through one `git cat-file --batch` process.

rulepack calls the git program itself rather than a library: git's own
plumbing reads every repository layout git supports (linked worktrees, `.git`
files, bare repositories without a config file, partial clones), and a
library would add its start-up cost and its own way of running git, which
would need the same neutralising a second time.
"""
